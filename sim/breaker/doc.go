// Package breaker is a circuit breaker with resilience4j's semantics: a
// count- or time-based sliding window of call outcomes, failure-rate and
// slow-call-rate thresholds evaluated once the window holds a minimum number
// of calls, a wait in the open state, and a number of trial calls permitted
// in the half-open state that decide whether it closes or opens again.
package breaker
