package validation

import "math"

// MM1Response is the mean time in an M/M/1 system, 1/(mu - lambda).
func MM1Response(lambda, mu float64) float64 { return 1 / (mu - lambda) }

// ErlangC is the probability that an arrival waits in an M/M/c queue with
// offered load a = lambda/mu (a < c).
func ErlangC(c int, a float64) float64 {
	term, sum := 1.0, 1.0 // a^k/k! for k = 0
	for k := 1; k < c; k++ {
		term *= a / float64(k)
		sum += term
	}
	last := term * a / float64(c) * float64(c) / (float64(c) - a) // a^c/c! * c/(c-a)
	return last / (sum + last)
}

// MMcWait is the mean wait in queue of an M/M/c system:
// ErlangC(c, lambda/mu) / (c*mu - lambda).
func MMcWait(c int, lambda, mu float64) float64 {
	return ErlangC(c, lambda/mu) / (float64(c)*mu - lambda)
}

// ErlangB is the fraction of arrivals an M/M/c/c system (c servers, no
// waiting room) turns away, with offered load a, by the stable recursion
// B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)).
func ErlangB(c int, a float64) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// PKWait is the Pollaczek-Khinchine mean wait in queue of an M/G/1 system
// with arrival rate lambda and service time S: lambda E[S²] / (2 (1 - rho)).
func PKWait(lambda, meanS, secondMomentS float64) float64 {
	return lambda * secondMomentS / (2 * (1 - lambda*meanS))
}

// MVA is exact mean value analysis of n users who think for a mean z
// between requests to one queueing server of mean service demand d: it
// returns the mean response time r and the throughput x, which satisfy the
// interactive response time law r = n/x - z.
func MVA(n int, z, d float64) (r, x float64) {
	q := 0.0
	for k := 1; k <= n; k++ {
		r = d * (1 + q)
		x = float64(k) / (r + z)
		q = x * r
	}
	return r, x
}

// RetrySuccess is the probability that one of n attempts succeeds when each
// fails independently with probability p: 1 - p^n.
func RetrySuccess(p float64, n int) float64 { return 1 - math.Pow(p, float64(n)) }

// RetryAttempts is the mean number of attempts a request makes with at most
// n, each failing independently with probability p: (1 - p^n)/(1 - p).
func RetryAttempts(p float64, n int) float64 { return (1 - math.Pow(p, float64(n))) / (1 - p) }

// TwoWriterConflicts is the share of conditional writes that conflict when
// two writers race on one record, each thinking for Exp(lambda) and writing
// for Exp(mu) between reading the version and committing, never retrying,
// with rho = lambda/mu: rho(2 + rho) / ((1 + rho)(2 + 3 rho)). A Markov
// chain over both writers' states (idle; writing, clean; writing, doomed by
// the other's commit) has rates in conflicts and commits whose ratio gives
// it; docs/model.md derives it.
func TwoWriterConflicts(rho float64) float64 { return rho * (2 + rho) / ((1 + rho) * (2 + 3*rho)) }

// GRPCThreshold is the failure fraction above which gRPC retry throttling
// with the given token ratio stops retries in the steady state: a success
// adds r tokens and a failure takes 1, so tokens fall when p > r/(1+r).
func GRPCThreshold(tokenRatio float64) float64 { return tokenRatio / (1 + tokenRatio) }

// LayeredAmplification is how many calls reach the bottom of a chain whose
// layers make the given numbers of attempts, when every call fails: their
// product, A^L for L layers of A.
func LayeredAmplification(attempts ...int) float64 {
	a := 1.0
	for _, n := range attempts {
		a *= float64(n)
	}
	return a
}

// FanoutSlow is the probability that a request waiting for n independent
// calls, each slow with probability p, is slow: it is as slow as the
// slowest of them, 1 - (1-p)^n (Dean and Barroso, "The Tail at Scale").
func FanoutSlow(p float64, n int) float64 { return 1 - math.Pow(1-p, float64(n)) }

// Harmonic is H_n = 1 + 1/2 + ... + 1/n.
func Harmonic(n int) float64 {
	var h float64
	for i := n; i >= 1; i-- { // smallest terms first
		h += 1 / float64(i)
	}
	return h
}

// KthFastest is the mean of the k-th smallest of n independent
// exponential(mu) times: sum over i from n-k+1 to n of 1/(i mu) (after
// each answer the rest race afresh, memorylessly, one fewer). With k = n it
// is the mean of the maximum, H_n/mu; with k = 1, of the minimum, 1/(n mu).
func KthFastest(k, n int, mu float64) float64 {
	var m float64
	for i := n - k + 1; i <= n; i++ {
		m += 1 / (float64(i) * mu)
	}
	return m
}
