// Package retry owns the arithmetic of trying again: the wait before each
// retry for every backoff and jitter shape that real clients use (gRPC, the
// AWS SDKs, Envoy), and the retry budgets that limit how many retries a
// caller may send (gRPC retryThrottling, AWS SDK standard mode, Envoy
// retry_budget, Finagle RetryBudget), each exactly as its system defines it.
package retry
