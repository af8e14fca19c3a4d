package native

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePagesAdvised says that hugeChunk asks for huge pages, so that
// moving parameters there is worth its copy.
const hugePagesAdvised = true

// hugePageBytes is a transparent huge page on the architectures Go
// supports with 4 KiB base pages; hugePage is its floats.
const (
	hugePageBytes = 2 << 20
	hugePage      = hugePageBytes / 4
)

// hugeChunk returns at least n zeroed floats, a whole number of huge
// pages starting on a huge-page boundary, advised to the kernel as
// memory to back with huge pages. The allocator may have zeroed reused
// memory, faulting it in as small pages; those are dropped first
// (MADV_DONTNEED, after which the memory reads as zeros, as it did), so
// that the first write faults each in again as a huge page. Where the
// kernel refuses either advice the memory is plain memory, as make's.
func hugeChunk(n int) []float32 {
	n = (n + hugePage - 1) / hugePage * hugePage
	s := make([]float32, n+hugePage)
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	skip := int((hugePageBytes-addr%hugePageBytes)%hugePageBytes) / 4
	s = s[skip : skip+n : skip+n]
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), 4*n)
	_ = unix.Madvise(b, unix.MADV_DONTNEED)
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
	return s
}
