//go:build !linux

package results

// exchange would swap two paths in one step; only Linux has it here.
func exchange(a, b string) error { return errNoExchange }
