#!/usr/bin/env bash
# Holds the listening socket that systemd-socket-activate passed as fd 3 and runs one
# master after another on it, the way systemd keeps a .socket unit's socket across
# `systemctl restart` of its service. Usage: socket-holder.sh DIR COMMAND...
# Master n writes its output to DIR/master-n.log and its pid to DIR/master-n.pid; the
# loop ends when DIR/stop exists.
set -u
dir=$1
shift
n=0
while [ ! -e "$dir/stop" ]; do
	n=$((n + 1))
	# LISTEN_PID must name the process that receives the sockets: the shell that execs java.
	sh -c 'LISTEN_PID=$$; export LISTEN_PID; exec "$@"' sh "$@" >"$dir/master-$n.log" 2>&1 &
	echo $! >"$dir/master-$n.pid.tmp"
	mv "$dir/master-$n.pid.tmp" "$dir/master-$n.pid"
	wait $!
done
