package weights

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/resc-dev/resc/ir"
)

// A Source gives parameter values on demand, in the IR's layout.
type Source interface {
	Values(p *ir.Param) []float32
}

// Values returns the values of p in s (nil when s has none).
func (s Set) Values(p *ir.Param) []float32 { return s[p.Name] }

// Stream initialises g's parameters as Init does, on all cores, ahead of a
// reader that asks for them in graph order (an exporter writing them out):
// generating and writing overlap, and only a bounded window of values is in
// memory at once. Each parameter's values may be asked for once. For an
// optimised graph the stream makes g.SourceParams, in that order: wrap it
// with Resolve.
func Stream(g *ir.Graph, seed uint64) Source {
	s := &initStream{index: map[*ir.Param]int{}}
	for _, p := range g.SourceParams() {
		s.index[p] = len(s.params)
		s.params = append(s.params, p)
		s.ready = append(s.ready, make(chan streamed, 1))
	}
	// The window: at most this many values generated but not yet taken.
	const window = 16 << 20
	s.budget = sync.NewCond(&s.mu)
	s.room = window
	next := make(chan int)
	go func() {
		for i, p := range s.params {
			s.mu.Lock()
			for s.room < p.Size() && s.room < window {
				s.budget.Wait()
			}
			s.room -= p.Size()
			s.mu.Unlock()
			next <- i
		}
		close(next)
	}()
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for i := range next {
				v, r := initParamSafe(s.params[i], seed)
				s.ready[i] <- streamed{v, r}
			}
		}()
	}
	return s
}

// streamed is one parameter's values, or the panic that making them
// raised on a worker, raised again on the reader's goroutine.
type streamed struct {
	values   []float32
	panicked any
}

type initStream struct {
	params []*ir.Param
	index  map[*ir.Param]int
	ready  []chan streamed
	mu     sync.Mutex
	budget *sync.Cond
	room   int64 // values that may still be generated ahead of the reader
}

func (s *initStream) Values(p *ir.Param) []float32 {
	i, ok := s.index[p]
	if !ok {
		return nil
	}
	v := <-s.ready[i]
	s.mu.Lock()
	s.room += p.Size()
	s.budget.Broadcast()
	s.mu.Unlock()
	if v.panicked != nil {
		panic(fmt.Sprintf("initialising %s: %v", p.Name, v.panicked))
	}
	return v.values
}
