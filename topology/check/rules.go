package check

import "slices"

// Rule is one kind of finding.
type Rule struct {
	ID    string
	Level Severity // its usual severity; capacity findings range from note to error
	Title string   // what it finds, in one line
	Help  string   // what it checks, why that matters, and the usual fix
	Demo  *Demo    // a shipped scenario that shows it, or nil
}

// Demo is a shipped scenario whose base has a rule's finding and whose
// variants FixedBy do not.
type Demo struct {
	Scenario string   // path from the repository's root
	FixedBy  []string // variant names
}

// The rule ids. They are stable: tools and SARIF baselines refer to them.
const (
	ruleOrphanedWork        = "orphaned-work"
	ruleNoTimeout           = "no-timeout"
	rulePerTry              = "per-try-not-below-deadline"
	ruleOverlapping         = "overlapping-attempts"
	ruleAmplification       = "retry-amplification"
	ruleNoBackoff           = "retry-no-backoff"
	ruleNoJitter            = "retry-no-jitter"
	ruleNoBudget            = "retry-no-budget"
	ruleUnsafeOutcome       = "retry-unsafe-outcome"
	ruleCapacity            = "capacity"
	ruleUnboundedQueue      = "unbounded-queue"
	ruleBreakerUnreached    = "breaker-unreachable"
	ruleBudgetNoRefill      = "budget-never-refills"
	ruleBudgetNeverAllows   = "budget-never-allows"
	ruleDuplicateWrite      = "retry-duplicate-write"
	rulePartialFailure      = "partial-failure-no-policy"
	ruleColdCache           = "cold-cache"
	ruleSharedWorkers       = "shared-workers"
	ruleGroupLoad           = "group-load"
	ruleJoinTimeout         = "join-timeout"
	ruleFanoutTail          = "fanout-tail"
	ruleQuorumOverlap       = "quorum-overlap"
	ruleClassCriticality    = "class-criticality"
	ruleRoundTrip           = "timeout-below-round-trip"
	ruleLossyWrite          = "retry-lossy-write"
	ruleConditionalNoJitter = "conditional-retry-no-jitter"
)

const (
	timeoutMismatch = "scenarios/timeout-mismatch.toml"
	retryStorm      = "scenarios/retry-storm.toml"
	duplicateWrites = "scenarios/duplicate-writes.toml"
	partialFailure  = "scenarios/partial-failure.toml"
	coldCache       = "scenarios/cold-cache.toml"
	slowDependency  = "scenarios/slow-dependency.toml"
	tailAtScale     = "scenarios/tail-at-scale.toml"
	lostResponses   = "scenarios/lost-responses.toml"
	hotRow          = "scenarios/hot-row.toml"
)

var rules = []Rule{
	{ruleOrphanedWork, Warning,
		"a caller gives up while its callee, not told, keeps working",
		"A caller's timeout is shorter than the time its callee may keep the call (the callee's own timeout, " +
			"the timeouts of its calls, a database's timeout, or no limit at all), and the call neither cancels " +
			"nor propagates a deadline. Everything the callee does after its caller left is for nobody, and under " +
			"a slowdown it piles up. Give each layer a limit shorter than its caller's, or set cancel = true or " +
			"propagate_deadline = true on the call.",
		&Demo{timeoutMismatch, []string{"aligned", "deadline-propagation", "cancellation"}}},
	{ruleNoTimeout, Warning,
		"a caller has no timeout and no deadline",
		"A client, load balancer or call sets neither a timeout nor a deadline, and is not bounded by a caller " +
			"that tells it when to stop. If nothing below ends the call either, it can wait forever (warning); " +
			"if a callee's limit ends it, the caller relies on that limit without saying so (note). Set a timeout " +
			"or a deadline.",
		nil},
	{rulePerTry, Warning,
		"a per-attempt timeout is not shorter than the overall deadline",
		"With a per-attempt timeout (a load balancer's per_try_timeout) at least as long as the deadline (its " +
			"route timeout), an attempt that times out has used the whole deadline, so no retry ever follows a " +
			"timeout. Make the per-attempt timeout a fraction of the deadline, or drop the retries.",
		nil},
	{ruleOverlapping, Warning,
		"retries run alongside the attempts they replace",
		"A caller retries while the attempt it gave up on goes on below it, because some layer on the way keeps " +
			"working after its caller left (see orphaned-work). Attempts of one logical request then overlap: the " +
			"worst case of attempts working at once at each component is the product of the attempts of every " +
			"retrying caller whose abandoned attempts go on. When the component slows down, its load multiplies " +
			"exactly when it can least take it. Stop abandoned attempts: order the limits, cancel, or propagate " +
			"deadlines.",
		&Demo{timeoutMismatch, []string{"aligned", "deadline-propagation", "cancellation"}}},
	{ruleAmplification, Warning,
		"layered retries multiply the attempts reaching a component",
		"The worst-case attempts reaching a component for one logical request is the product of the attempts of " +
			"every caller on the way (3 layers of 3 attempts: 27). The check warns above 3, the default of the gRPC " +
			"and AWS clients. Retry at one layer only, and give any layer that must retry a retry budget.",
		nil},
	{ruleNoBackoff, Warning,
		"retries are sent at once, without backoff",
		"backoff = \"none\": a retry meets the overload or fault that failed the attempt, and calls that fail " +
			"together retry together. Back off exponentially with jitter (the default).",
		&Demo{retryStorm, []string{"backoff-jitter"}}},
	{ruleNoJitter, Note,
		"backoff without jitter keeps retries synchronised",
		"Constant backoff, or exponential backoff with jitter = \"none\": calls that failed together wait the " +
			"same time and retry together, in waves. Use jitter = \"full\" (the default).",
		nil},
	{ruleNoBudget, Warning,
		"nothing limits retries over time",
		"A caller retries with no retry budget, no circuit breaker and no adaptive throttling on the call (for a " +
			"load balancer: no circuit_breakers), and calls no load balancer whose circuit_breakers limit it. In a " +
			"sustained failure every call makes all its attempts, multiplying the load for as long as the failure " +
			"lasts. A budget that can never refuse a retry (AWS with zero costs, Finagle with percent_can_retry at " +
			"least max_attempts - 1) counts as none. Add a retry budget or a circuit breaker.",
		&Demo{retryStorm, []string{"retry-budget", "retry-budget-aws", "retry-budget-finagle", "retry-breaker", "envoy-retry-budget",
			"circuit-breaker", "adaptive-throttling", "envoy-circuit-breakers"}}},
	{ruleUnsafeOutcome, Note,
		"retries repeat work that may already have taken effect",
		"A caller retries an outcome after which the operation may still take effect or already have: a timeout " +
			"whose attempt goes on below (it may still complete), or an error from a service whose earlier calls " +
			"succeeded before a later one failed (the retry repeats them). Safe only if the operation is " +
			"idempotent, which the model does not describe yet: confirm it, stop timed-out attempts, or retry only " +
			"refusals.",
		&Demo{timeoutMismatch, []string{"aligned", "deadline-propagation", "cancellation"}}},
	{ruleCapacity, Warning,
		"offered load against a tier's capacity",
		"A server's capacity is its workers (connections) over the mean time a call holds one: its work plus its " +
			"downstream calls when nothing queues (with load-dependent slowdown, the best the curve allows). The " +
			"load is the clients' peak rate (open loop) or users / (think + demand) (closed loop), split evenly by " +
			"load balancers and made once per call by services. Error: the fault-free peak of open-loop clients " +
			"exceeds capacity (a warning when an autoscaler's maximum would serve it). Warning: closed-loop users would send more than it serves (they saturate it), or " +
			"the worst case exceeds it, with load spikes and every attempt failing and retried (retry budgets " +
			"credited; closed-loop users time out on every attempt). Note: the worst case is above 80%.",
		&Demo{retryStorm, []string{"retry-budget", "retry-budget-aws", "retry-budget-finagle", "retry-breaker"}}},
	{ruleUnboundedQueue, Warning,
		"a queue that can fill has no bound",
		"A service or database whose queue can fill (at the worst-case load, with the faults' slowdowns, it needs " +
			"more workers than it has) has no queue capacity, no queue timeout, no concurrency limit, no timeout " +
			"(databases), and callers that neither cancel nor propagate deadlines. Calls wait past their callers' " +
			"timeouts and are served for nobody. Bound the wait, or tell the queue when callers leave.",
		&Demo{retryStorm, []string{"load-shedding", "concurrency-limit"}}},
	{ruleColdCache, Warning,
		"a cache restart would overload its backing store",
		"A service with a cache passes on only its misses: warm, the fraction Che's approximation for LRU gives " +
			"for its keys, capacity and popularity. After a restart the cache is empty and every call misses. " +
			"Warning: the backing store serves the warm misses but not the cold ones, and nothing bounds its queue " +
			"(no queue capacity or timeout, no concurrency limit, no timeout): fetches wait past their timeouts, " +
			"store nothing, and the cache may never warm. Note: the same with coalesced misses. Shed load at the " +
			"backing store, coalesce misses, or give it the capacity for the cold rate.",
		&Demo{coldCache, []string{"load-shedding"}}},
	{ruleSharedWorkers, Warning,
		"one slow dependency can take every worker",
		"A service call that only some of its calls make (fraction below 1) and that it waits for while holding a " +
			"worker would, if its callee slowed down to the call's own limits (timeouts, attempts, backoffs, " +
			"deadline), hold more workers than the service has, and it has no bulkhead below the workers: the calls " +
			"that never make it queue behind and fail too. Give the call a bulkhead, or a shorter limit.",
		&Demo{slowDependency, []string{"bulkheads"}}},
	{ruleBreakerUnreached, Warning,
		"a circuit breaker can never open",
		"A breaker judges the failure rate only once its window holds minimum_number_of_calls calls. A " +
			"count_based window smaller than that never does; a time_based window never does when the most calls " +
			"the caller sends in it are fewer (warning). A count_based breaker that takes longer than the run to " +
			"fill its minimum gets a note. Lower the minimum or widen the window.",
		nil},
	{ruleBudgetNoRefill, Warning,
		"a retry budget drains and never refills",
		"An AWS budget with no_retry_increment = 0 gains nothing from first-try successes; a successful retry only " +
			"refunds its own cost. Every failed retry is lost for good, and once the bucket is empty the caller " +
			"never retries again. Set no_retry_increment above 0 (the SDKs use 1).",
		nil},
	{ruleBudgetNeverAllows, Warning,
		"a retry budget can never allow a retry",
		"The budget refuses every retry from the start: an AWS bucket smaller than a retry's cost, an Envoy " +
			"budget of 0% with no minimum concurrency, a Finagle budget with neither a percentage nor a reserve, " +
			"or a load balancer's circuit_breakers with max_retries = 0. The retries in max_attempts never happen; " +
			"raise the budget, or say max_attempts = 1.",
		nil},
	{ruleDuplicateWrite, Warning,
		"retries or hedges can repeat a non-idempotent write",
		"A caller retries or hedges calls on a path that ends in a write marked write = \"non_idempotent\", and the " +
			"component that runs the write keeps no idempotency keys. A hedge always runs copies at once; a retry " +
			"after a timeout the callee outlives, or (from a layer above the write) after an error, can follow an " +
			"attempt that already took effect. One logical request then takes effect twice. Give the component " +
			"idempotency_keys, make the write idempotent, or retry only refusals.",
		&Demo{duplicateWrites, []string{"idempotency-keys", "durable-keys", "hedging-idempotency-keys"}}},
	{rulePartialFailure, Warning,
		"a handler can fail half-way through its writes, with no policy",
		"A service makes a write call followed by other calls (more than one write, or a write then a read or a " +
			"publish) and sets no on_partial_failure. When a later call fails, the earlier write stays and the " +
			"request fails: the state is inconsistent and nothing repairs it. Choose retry-step (keep what " +
			"succeeded, retry the failed call later from stored state), rollback (compensate), or write \"none\" to " +
			"say it is intended.",
		&Demo{partialFailure, []string{"rollback", "retry-step"}}},
	{ruleGroupLoad, Note,
		"a group of calls multiplies the calls of a request",
		"A step that makes several calls at once sends each of them, and each may be retried or hedged: the worst case " +
			"of one run is the sum, over its calls, of the instances called times the attempts or hedged copies. The " +
			"note says how many calls a run makes and how many at worst; it warns when the worst is more than three " +
			"times as many, as retry-amplification does. A fan-out multiplies whatever each call costs.",
		nil},
	{ruleJoinTimeout, Warning,
		"a group may wait for its calls longer than its caller waits for it",
		"The longest a group step waits for its calls (its join_timeout, or else the limits of its calls: timeouts, " +
			"attempts, backoffs) is not shorter than the time a caller of its service waits for an attempt. The join " +
			"then answers after its caller has gone: a partial answer after a join_timeout is never used, and the calls " +
			"still running work for nobody. Give the group a join_timeout shorter than its caller's timeout.",
		nil},
	{ruleFanoutTail, Warning,
		"a fan-out makes its calls' rare tail its common case",
		"A group that waits for every one of N calls (or a quorum of them) is as slow as the slowest it waits for. " +
			"With each call slower than ten times its callee's median with probability p (from the callee's service " +
			"time distribution), a run waits for such a call with probability 1 − (1 − p)^N (for a quorum, the " +
			"chance that more calls are slow than it can spare): 63% for p = 1% and N = 100. The check warns from 10%, " +
			"when the group has neither a join_timeout nor hedged calls. Hedge the calls after their p95, answer with " +
			"partial results after a join_timeout, or make fewer, bigger calls (Dean and Barroso, \"The Tail at Scale\").",
		&Demo{tailAtScale, []string{"hedged", "partial-results"}}},
	{ruleQuorumOverlap, Warning,
		"read and write quorums that need not overlap",
		"A service reads a replicated service at a quorum of R of its N replicas and writes it at a quorum of W, " +
			"with R + W ≤ N: a read can hear only from replicas the last write has not reached yet, and return the " +
			"value before it. Dynamo and Cassandra make reads see the last write with R + W > N.",
		nil},
	{ruleClassCriticality, Warning,
		"a request class with no criticality reaches a server that sheds by criticality",
		"A server's queue serves and sheds by criticality (queue.by_criticality), and a request class that reaches " +
			"it sets none: it is CRITICAL, the default. Which requests an overloaded server drops first is then an " +
			"accident of the default. Give each operation its criticality.",
		nil},
	{ruleRoundTrip, Warning,
		"a timeout is shorter than its link's round trip plus the callee's work",
		"A call crosses its link twice, a one-way delay each way, and the callee works in between. When the caller's " +
			"per-attempt timeout (or its deadline, without one) is shorter than the p99 of the delay each way plus the " +
			"p99 of the callee's service time, attempts time out while nothing is wrong: the callee works for nobody and " +
			"each retry pays the round trip again. Give the caller more time, or shorten the link.",
		nil},
	{ruleLossyWrite, Warning,
		"retries or hedges repeat a write whose answer a link can lose",
		"A caller retries after a timeout, or hedges, a non-idempotent or conditional write over a link that loses " +
			"answers (its response_loss, or a partition, loss or loss drift on its answers), and the callee keeps no " +
			"idempotency keys. A lost answer is an answer to work that was done: the write took effect, the caller times " +
			"out and sends it again, and it takes effect twice. Give the callee idempotency_keys, make the write " +
			"idempotent, or retry only refusals.",
		&Demo{lostResponses, []string{"idempotency-keys"}}},
	{ruleConditionalNoJitter, Warning,
		"conditional writes are retried without jitter",
		"A conditional write (optimistic concurrency) fails with a conflict when another write committed to its record " +
			"since it read it, and the caller retries conflicts (retry_on has \"error\") with no backoff, a constant one, " +
			"or exponential backoff without jitter. Writers that lost the same race wait alike, come back together and " +
			"race again: about N rounds and up to N²/2 calls for N writers. Add jitter (full, or decorrelated).",
		&Demo{hotRow, []string{"full-jitter", "equal-jitter", "decorrelated-jitter"}}},
}

// Rules returns every rule, in the order docs/check.md lists them.
func Rules() []Rule { return slices.Clone(rules) }
