// Package throttle is client-side adaptive throttling as the Google SRE book
// describes it (Handling Overload): each client counts, over a sliding
// window, the requests it attempted and those the backend accepted, and
// rejects new requests locally with probability
// max(0, (requests - K*accepts) / (requests + 1)), so the backend never
// sees much more than K times what it can accept.
package throttle
