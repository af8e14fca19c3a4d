package native

import "reflect"

// MemoryStats is what a Program holds in memory, in bytes, as the Program
// itself accounts for it ('resc bench --memory' prints it next to the
// process's peak resident memory).
type MemoryStats struct {
	// Weights is what the steps keep for the whole Program's life: packed
	// convolution weights, biases, folded scales and shifts, offset
	// tables.
	Weights int64
	// ArenaPerImage is the activation arena of one image; a Run of B
	// images uses B times as much.
	ArenaPerImage int64
	// ScratchPerWorker is each thread's scratch (im2col panels, padded
	// planes); a Run uses Threads of them.
	ScratchPerWorker int64
	Threads          int
}

// Run is the memory one Run of batch images needs besides the weights:
// its arena and every thread's scratch.
func (m MemoryStats) Run(batch int) int64 {
	return m.ArenaPerImage*int64(batch) + m.ScratchPerWorker*int64(m.Threads)
}

// MemoryStats accounts for the Program's memory. The weights are counted
// by walking the steps' fields for the arrays they hold, each once, so
// that a new kind of step is counted without saying how.
func (p *Program) MemoryStats() MemoryStats {
	m := MemoryStats{
		ArenaPerImage:    int64(p.arena) * 4,
		ScratchPerWorker: int64(p.scratch) * 4,
		Threads:          p.threads,
	}
	seen := map[uintptr]bool{}
	for _, s := range p.steps {
		m.Weights += heldBytes(reflect.ValueOf(s), seen)
	}
	return m
}

// heldBytes is the size of the arrays of numbers reachable from v that seen
// does not hold yet (arrays, and structs reached through pointers, are
// counted once, by address).
func heldBytes(v reflect.Value, seen map[uintptr]bool) int64 {
	switch v.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return 0
		}
		return heldBytes(v.Elem(), seen)
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return 0
		}
		seen[v.Pointer()] = true
		return heldBytes(v.Elem(), seen)
	case reflect.Struct:
		var n int64
		for i := range v.NumField() {
			n += heldBytes(v.Field(i), seen)
		}
		return n
	case reflect.Array:
		var n int64
		for i := range v.Len() {
			n += heldBytes(v.Index(i), seen)
		}
		return n
	case reflect.Slice:
		if v.Cap() == 0 || seen[v.Pointer()] {
			return 0
		}
		seen[v.Pointer()] = true
		switch v.Type().Elem().Kind() {
		case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return int64(v.Cap()) * int64(v.Type().Elem().Size())
		}
		n := int64(v.Cap()) * int64(v.Type().Elem().Size())
		for i := range v.Len() {
			n += heldBytes(v.Index(i), seen)
		}
		return n
	}
	return 0
}
