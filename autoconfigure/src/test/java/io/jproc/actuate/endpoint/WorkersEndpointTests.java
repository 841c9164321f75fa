package io.jproc.actuate.endpoint;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import io.jproc.actuate.PoolStatuses;
import io.jproc.actuate.endpoint.WorkersDescriptor.ErrorDescriptor;
import io.jproc.actuate.endpoint.WorkersDescriptor.WorkerDescriptor;
import io.jproc.ipc.Message;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkersEndpoint}.
 */
class WorkersEndpointTests {

	private static final Duration BOUND = Duration.ofSeconds(5);

	@Test
	void workersListsEverySlotAndWhoAnswered() {
		WorkersEndpoint endpoint = new WorkersEndpoint(
				PoolStatuses.clientAnswering(PoolStatuses.pool("running", "ready", "backoff")));
		WebEndpointResponse<OperationResponseBody> response = endpoint.workers().block(BOUND);
		assertThat(response.getStatus()).isEqualTo(200);
		WorkersDescriptor body = (WorkersDescriptor) response.getBody();
		assertThat(body.answeredBy().id()).isEqualTo(1);
		assertThat(body.answeredBy().pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(body.master().uptimeMillis()).isEqualTo(40_000);
		assertThat(body.master().workersReady()).isEqualTo(1);
		WorkerDescriptor ready = body.workers().get(0);
		assertThat(ready.pid()).isEqualTo(101L);
		assertThat(ready.bootMillis()).isEqualTo(4_000);
		assertThat(ready.uptimeMillis()).isEqualTo(30_000);
		assertThat(ready.heartbeatAgeMillis()).isEqualTo(2_000);
		assertThat(ready.rss()).isEqualTo(200_000_000);
		WorkerDescriptor empty = body.workers().get(1);
		assertThat(empty.pid()).isNull();
		assertThat(empty.restarts()).isEqualTo(1);
		assertThat(empty.lastExit().signal()).isEqualTo("KILL");
		assertThat(empty.lastExit().code()).isNull();
		assertThat(empty.heapUsed()).isNull();
	}

	@Test
	void jsonLayoutIsStable() {
		WorkersDescriptor body = (WorkersDescriptor) new WorkersEndpoint(
				PoolStatuses.clientAnswering(PoolStatuses.pool("running", "ready", "backoff")))
			.workers()
			.block(BOUND)
			.getBody();
		JsonNode json = JsonMapper.builder().build().valueToTree(body);
		assertThat(json.propertyNames()).containsExactly("answeredBy", "master", "workers", "spares");
		assertThat(json.get("master").propertyNames()).containsExactly("pid", "state", "startedAt", "uptimeMillis",
				"listening", "workersWanted", "workersReady", "operation", "listeners", "warnings", "leader",
				"messages", "bootCache", "sparesWanted", "sparesReady", "sparesGaveUpReason", "queries");
		assertThat(json.get("master").get("sparesReady").asInt()).isEqualTo(1);
		assertThat(json.get("spares").get(0).propertyNames()).containsExactly("pid", "number", "state", "startedAt",
				"readyAt", "bootMillis", "bootCacheUsed", "heartbeatAgeMillis");
		assertThat(json.get("spares").get(0).get("bootMillis").asLong()).isEqualTo(4000);
		assertThat(json.get("master").get("bootCache").propertyNames()).containsExactly("state", "kind", "path",
				"reason");
		assertThat(json.get("workers").get(1).propertyNames()).containsExactly("id", "pid", "state", "startedAt",
				"readyAt", "uptimeMillis", "bootMillis", "restarts", "restartsByReason", "lastExit",
				"heartbeatAgeMillis", "heapUsed", "heapMax", "rss", "requestsServed", "requestsInFlight",
				"longLivedConnections", "connections", "restartAt", "gaveUpReason", "incoming", "leavingPids",
				"bootCacheUsed");
		assertThat(json.get("workers").get(1).get("lastExit").propertyNames()).containsExactly("code", "signal",
				"reason", "at");
	}

	@Test
	void workerReturnsOneSlot() {
		WebEndpointResponse<OperationResponseBody> response = new WorkersEndpoint(
				PoolStatuses.clientAnswering(PoolStatuses.pool("running", "ready", "ready")))
			.worker(2)
			.block(BOUND);
		assertThat(response.getStatus()).isEqualTo(200);
		assertThat(((WorkerDescriptor) response.getBody()).pid()).isEqualTo(102L);
	}

	@Test
	void workerWithUnknownIdIsNotFound() {
		WebEndpointResponse<OperationResponseBody> response = new WorkersEndpoint(
				PoolStatuses.clientAnswering(PoolStatuses.pool("running", "ready", "ready")))
			.worker(99)
			.block(BOUND);
		assertThat(response.getStatus()).isEqualTo(404);
		assertThat(((ErrorDescriptor) response.getBody()).error()).isEqualTo("no worker 99; worker ids are 1 to 2");
	}

	@Test
	void workersWhenMasterIsLateIsGatewayTimeout() {
		WebEndpointResponse<OperationResponseBody> response = new WorkersEndpoint(
				PoolStatuses.clientAnswering(CompletableFuture.failedFuture(new TimeoutException())))
			.workers()
			.block(BOUND);
		assertThat(response.getStatus()).isEqualTo(504);
		assertThat(((ErrorDescriptor) response.getBody()).error())
			.isEqualTo("the master did not answer within 5000 ms (jproc.ipc.request-timeout)");
	}

	@Test
	void workersWhenMasterRefusesIsBadGateway() {
		WebEndpointResponse<OperationResponseBody> response = new WorkersEndpoint(
				PoolStatuses.clientAnswering(new Message.Failure("malformed frame: bad body")))
			.worker(1)
			.block(BOUND);
		assertThat(response.getStatus()).isEqualTo(502);
		assertThat(((ErrorDescriptor) response.getBody()).error())
			.isEqualTo("the master refused: malformed frame: bad body");
	}

	@Test
	void workersWhenMasterAnswersSomethingElseIsBadGateway() {
		WebEndpointResponse<OperationResponseBody> response = new WorkersEndpoint(
				PoolStatuses.clientAnswering(new Message.Scrape("up 1")))
			.workers()
			.block(BOUND);
		assertThat(response.getStatus()).isEqualTo(502);
		assertThat(((ErrorDescriptor) response.getBody()).error()).contains("answered Scrape instead of PoolStatus");
	}

}
