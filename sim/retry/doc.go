// Package retry owns the arithmetic of trying again: the wait before each
// retry for every backoff and jitter shape that real clients use (gRPC, the
// AWS SDKs, Envoy), exactly as they define it.
package retry
