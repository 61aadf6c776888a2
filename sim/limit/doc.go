// Package limit owns concurrency limits in front of a server: a static
// limit, and Netflix concurrency-limits' AIMD limit, which grows by one while
// calls are fast and at least half the limit is in use, and shrinks by its
// backoff ratio when a call is slow or fails.
package limit
