package native

// Large parameters on huge pages.
//
// A run reads a Program's weights once, strip after strip: resnet50's
// are about 100 MB, 25,000 pages of 4 KiB, and a weight strip of a late
// layer enters a new page every 32 or 64 steps of its k loop, each a TLB
// miss that the kernel's prefetches wait behind. Copied into memory that
// the kernel backs with 2 MiB pages (transparent huge pages, which most
// Linux systems give only on request, madvise), the weights cost a miss
// per 2 MiB. In-process A/B runs at batch 1 (median ratio of 40–60
// interleaved pairs, time with / without): resnet50 0.971 on one thread
// and 0.975 on two, resnet18, whose late Winograd weights are 4–16 MB a
// layer, 0.943 and 0.977, resnext50_32x4d 0.962 on two, keras_resnet50v2
// 0.981; batch 8, which reads each weight once for eight images, moved by
// under 1%, and cifar_resnet56 has no parameter this large. Activations
// gained nothing so (arena on huge pages: 0.99–1.01): a layer's are a few
// MB, read in step.
//
// The copies' old slices are garbage at once, and Compile counts them
// towards its next collection (collect.go): left to the collector, they
// raised the peak resident memory of resnet18 by about 30 MiB. Counted, the
// peak went from 115–124 to 128–135 MiB for resnet18 and from 164–189 to
// 188–195 for resnet50 on one thread (resc bench --memory, three runs
// each; onnxruntime's is about 180 and 310).

// hugeParamMin is the size, in floats, from which a parameter moves to
// huge pages: 1 MiB, what the measurements above moved.
const hugeParamMin = 1 << 18

// paramChunkMin is the least chunk, in floats, that paramStore carves
// parameters from: 32 MiB, so that resnet50's go in a few chunks, each
// wasting at most a huge page at either end.
const paramChunkMin = 8 << 20

// A paramHolder is a step whose parameters may be large enough to move.
type paramHolder interface {
	// largeParams points at the step's parameter slices that may move;
	// the step reads them only through these fields.
	largeParams() []*[]float32
}

// A paramStore holds a Program's large parameters in chunks of huge-page
// memory (hugeChunk), each chunk kept alive by the slices carved from it.
type paramStore struct {
	free []float32 // what is left of the current chunk
}

// adopt moves the large parameters of s, if it has any, into the store
// and returns the bytes it moved, whose old copies are now garbage.
func (ps *paramStore) adopt(s step) int64 {
	h, ok := s.(paramHolder)
	if !ok || !hugePagesAdvised {
		return 0
	}
	var moved int64
	for _, p := range h.largeParams() {
		if len(*p) < hugeParamMin {
			continue
		}
		dst := ps.alloc(len(*p))
		copy(dst, *p)
		*p = dst
		moved += 4 * int64(len(dst))
	}
	return moved
}

// alloc carves n floats from the current chunk, or a new one, keeping
// the next start on a cache line.
func (ps *paramStore) alloc(n int) []float32 {
	whole := (n + 15) &^ 15
	if len(ps.free) < whole {
		ps.free = hugeChunk(max(paramChunkMin, whole))
	}
	p := ps.free[:n:n]
	ps.free = ps.free[whole:]
	return p
}

func (s *convStep) largeParams() []*[]float32    { return []*[]float32{&s.apack} }
func (s *tapConvStep) largeParams() []*[]float32 { return []*[]float32{&s.apack} }
func (s *winoStep) largeParams() []*[]float32    { return []*[]float32{&s.upack} }
func (s *fcStep) largeParams() []*[]float32      { return []*[]float32{&s.w} }
func (s *gemvStep) largeParams() []*[]float32    { return []*[]float32{&s.w} }
