//go:build js && wasm

package wasm

import (
	"context"
	"syscall/js"
	"time"

	"github.com/failsim/failsim/cmd/simulate/playground"
)

// Serve registers failsimCall(method, arg, reply) for worker.js and waits
// for calls for ever. Each call runs on a goroutine of its own and replies
// with each line, then null. A run yields to the worker's event loop about
// every playground.Interval, so that a "stop" call is heard while it goes.
func Serve(cfg *playground.Config) {
	cfg.Yield = func() { time.Sleep(time.Millisecond) }
	js.Global().Set("failsimCall", js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) != 3 {
			return nil
		}
		method, arg, reply := args[0].String(), args[1].String(), args[2]
		go func() {
			cfg.Call(context.Background(), method, []byte(arg), func(line []byte) error {
				reply.Invoke(string(line))
				return nil
			})
			reply.Invoke(js.Null())
		}()
		return nil
	}))
	select {}
}
