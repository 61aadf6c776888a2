package human_test

import (
	"fmt"
	"time"

	"github.com/failsim/failsim/topology/human"
)

// The same quantities in each style.
func Example() {
	for _, s := range []float64{0, 0.00139, 0.13, 6, 13.5} {
		d := time.Duration(s * float64(time.Second))
		fmt.Printf("%-7s %-7s %-8s %-7s %-6s %s\n", human.Duration(d), human.Brief(d), human.ExactSeconds(d),
			human.Seconds(s), human.SignificantSeconds(s), human.Tick(s))
	}
	fmt.Println(human.Percent(0.9123), human.SignificantPercent(0.005), human.Period(30*86400), human.Period(43200))
	// Output:
	// 0s      0s      0s       -       0s     0µs
	// 1.39ms  1.39ms  0.00139s 1.39ms  1.39ms 1.39ms
	// 130ms   130ms   0.13s    130ms   130ms  130ms
	// 6s      6s      6s       6.00s   6.00s  6s
	// 13.5s   13.5s   13.5s    13.50s  13.5s  13.5s
	// 91.2% 0.500% 30d 12h0m0s
}

func ExampleParseNumber() {
	for _, v := range []string{"3", "0.25", `"1.5s"`, "none"} {
		x, k, ok := human.ParseNumber(v)
		fmt.Println(v, x, ok, human.FormatNumber(x, k))
	}
	// Output:
	// 3 3 true 3
	// 0.25 0.25 true 0.25
	// "1.5s" 1.5e+09 true 1.5s
	// none 0 false 0
}

func ExampleDidYouMean() {
	keys := []string{"timeout", "deadline", "retry", "exponential"}
	fmt.Printf("%q\n", human.DidYouMean("timout", keys))
	fmt.Printf("%q\n", human.DidYouMean("expo", keys))
	fmt.Printf("%q\n", human.DidYouMean("colour", keys))
	// Output:
	// "; did you mean \"timeout\"?"
	// "; did you mean \"exponential\"?"
	// ""
}

func ExampleNames() {
	fmt.Println(human.Names([]string{"api-1", "api-2"}))
	fmt.Println(human.Names([]string{"pods-1", "pods-2", "pods-3", "pods-4", "pods-5", "pods-6", "pods-7"}))
	// Output:
	// api-1, api-2
	// pods-1, pods-2, pods-3 and 4 more
}
