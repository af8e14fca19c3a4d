package weights

import (
	"fmt"
	"strings"
	"testing"
)

// TestWorkerPanicReachesCaller: a parameter too large to allocate panics
// on a worker goroutine; Init and Stream raise it on the caller's
// goroutine, where cli.Main's recover turns it into an error, instead of
// letting it end the process with a stack trace.
func TestWorkerPanicReachesCaller(t *testing.T) {
	caught := func(f func()) (msg string) {
		defer func() { msg = fmt.Sprint(recover()) }()
		f()
		return ""
	}
	for _, c := range []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Init", func(t *testing.T) {
			g := build(t, "cifar_resnet20")
			p := g.SourceParams()[3]
			defer func(s []int) { p.Shape = s }(p.Shape) // in case the graph is shared
			p.Shape = []int{1 << 31, 1 << 31}
			msg := caught(func() { Init(g, 1) })
			if !strings.Contains(msg, "initialising "+p.Name) {
				t.Fatalf("recovered %q", msg)
			}
		}},
		{"Stream", func(t *testing.T) {
			g := build(t, "cifar_resnet20")
			params := g.SourceParams()
			p := params[3]
			defer func(s []int) { p.Shape = s }(p.Shape)
			p.Shape = []int{1 << 31, 1 << 31}
			s := Stream(g, 1)
			msg := caught(func() {
				for _, q := range params {
					s.Values(q)
				}
			})
			if !strings.Contains(msg, "initialising "+p.Name) {
				t.Fatalf("recovered %q", msg)
			}
		}},
	} {
		t.Run(c.name, c.run)
	}
}
