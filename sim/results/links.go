package results

// Link is what crossed the link of one edge, caller to callee, after the
// warm-up: every call sent, the calls lost on the way, the answers lost on
// the way back (the callee did the work), and the one-way delays of the
// messages that got through, both ways.
type Link struct {
	From          string  `json:"from"`
	To            string  `json:"to"`
	Sent          int64   `json:"sent"`
	LostRequests  int64   `json:"lost_requests"`
	LostResponses int64   `json:"lost_responses"`
	DelayMeanS    float64 `json:"delay_mean_s"`
	DelayP99S     float64 `json:"delay_p99_s"`
}

// KeyCount is one record of a keyed database: how many writes committed to
// it and how many conditional writes to it lost their race.
type KeyCount struct {
	Key       int   `json:"key"` // its rank in popularity, 0 the most popular
	Commits   int64 `json:"commits"`
	Conflicts int64 `json:"conflicts"`
}
