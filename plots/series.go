package plots

import "github.com/failsim/failsim/plots/live"

// The arithmetic on series and the tiers are package live's, shared with
// the playground's live charts so that both show the same numbers.
type tier = live.Tier

var (
	tiersOf   = live.Tiers
	clientsOf = live.Clients
	sum       = live.Sum
	add       = live.Add
	ratio     = live.Ratio
	perSecond = live.PerSecond
	middles   = live.Middles
	allZero   = live.AllZero
	nans      = live.NaNs
)
