#!/usr/bin/env bash
# Draws the headline charts as PNG with gnuplot (installed from Debian's packages,
# gnuplot-nox, when missing), from the data files the benchmarks write.
#   bench/plot.sh reload SERIES.tsv EVENTS.tsv OUT.png [TITLE]
#     requests per second and non-2xx per second over time through rolling reloads:
#     SERIES.tsv is what bench/series.lua writes (epoch second, responses, non-2xx),
#     EVENTS.tsv what SERIES=1 bench/reload-under-load.sh writes (epoch second, event);
#     each reload, from SIGHUP to "reload complete", is shaded, and a dashed line marks
#     each new worker taking its slot. The first and last (partial) seconds are left out.
#   bench/plot.sh memory DATA.tsv OUT.png [TITLE]
#     whole-pool Pss against separate JVMs: DATA.tsv has one row per count of workers:
#     count, pool Pss MB (or NaN when not measured), separate JVMs' Pss MB.
set -euo pipefail

if ! command -v gnuplot >/dev/null; then
  echo "installing gnuplot from Debian's packages" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox) >&2
fi

kind="${1:?reload or memory}"; shift
case "$kind" in
reload)
  series="$1" events="$2" out="$3" title="${4:-requests per second through a rolling reload}"
  # the first and last seconds are partial (wrk starts and is stopped within them)
  trimmed="$(mktemp)"; trap 'rm -f "$trimmed"' EXIT
  awk '!/^#/' "$series" | sed '1d;$d' >"$trimmed"
  t0=$(awk '!/^#/ {print $1; exit}' "$series")
  shade=$(awk -v t0="$t0" '!/^#/ {
      if ($2 == "SIGHUP") start = $1 - t0
      else if ($NF == "replaced") printf "set arrow from %.1f, graph 0 to %.1f, graph 0.92 nohead dashtype 2 lc rgb \"#555555\"\nset label \"new %s %s ready\" at %.1f, graph 0.95 right font \",9\"\n", $1 - t0, $1 - t0, $2, $3, $1 - t0
      else if ($NF == "complete") printf "set object rect from %.1f, graph 0 to %.1f, graph 1 behind fillcolor rgb \"#dde6f5\" fillstyle solid noborder\n", start, $1 - t0
    }' "$events")
  gnuplot <<GNUPLOT
set terminal pngcairo size 1000,450 font "DejaVu Sans,11"
set output "$out"
set title "$title" noenhanced
set xlabel "seconds since the load started (shaded: a reload, from SIGHUP to reload complete)"
set ylabel "requests per second"
set y2label "non-2xx responses per second" textcolor rgb "#c0392b"
set yrange [0:*]
set y2range [0:*]
set ytics nomirror
set y2tics nomirror textcolor rgb "#c0392b"
set grid ytics lc rgb "#dddddd"
set key top left opaque
set datafile commentschars "#"
$shade
plot "$trimmed" using (\$1-$t0):2 with lines lw 2 lc rgb "#1f5fa8" title "requests/s (wrk)", \
     "$trimmed" using (\$1-$t0):3 axes x1y2 with impulses lw 3 lc rgb "#c0392b" title "non-2xx/s"
GNUPLOT
  ;;
memory)
  data="$1" out="$2" title="${3:-memory: a jproc pool against separate JVMs}"
  gnuplot <<GNUPLOT
set terminal pngcairo size 900,480 font "DejaVu Sans,11"
set output "$out"
set title "$title" noenhanced
set style data histograms
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set xlabel "worker JVMs"
set ylabel "Pss of every process, MB"
set yrange [0:*]
set grid ytics lc rgb "#dddddd"
set key top left opaque
set datafile missing "NaN"
set datafile commentschars "#"
plot "$data" using 2:xtic(1) title "jproc: master + N workers (measured)" lc rgb "#1f5fa8", \
     "" using 3 title "N separate plain JVMs (N x the single JVM)" lc rgb "#999999", \
     "" using (\$0-0.17):(\$2):(sprintf("%d", \$2)) with labels offset 0,0.8 notitle, \
     "" using (\$0+0.17):(\$3):(sprintf("%d", \$3)) with labels offset 0,0.8 notitle
GNUPLOT
  ;;
*) echo "unknown chart '$kind': reload or memory" >&2; exit 2 ;;
esac
