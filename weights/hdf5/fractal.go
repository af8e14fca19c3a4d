package hdf5

import (
	"fmt"
	"math/bits"
)

// A fractalHeap is a fractal heap's managed objects: the direct blocks
// that hold them, by the heap offset each starts at.
type fractalHeap struct {
	f       *File
	what    string
	offSize int // bytes of a heap ID's offset
	lenSize int // bytes of a heap ID's length
	blocks  []heapBlock
}

type heapBlock struct {
	offset uint64 // heap offset of the block's first byte
	data   []byte // the whole block, header included
}

// encSize is the bytes needed to encode values up to n, as the library
// computes it: floor(log2 n)/8 + 1.
func encSize(n uint64) int {
	if n == 0 {
		return 1
	}
	return (bits.Len64(n)-1)/8 + 1
}

// fractalHeap reads the fractal heap whose header is at addr.
func (f *File) fractalHeap(addr uint64) (*fractalHeap, error) {
	what := fmt.Sprintf("fractal heap at %d", addr)
	b, err := f.from(addr, what)
	if err != nil {
		return nil, err
	}
	d := f.decoder(b, what)
	d.signature("FRHP")
	d.skip(1) // version
	d.u16()   // heap ID length
	filterLen := d.u16()
	flags := d.u8()
	maxManaged := d.u32()
	d.length() // next huge object ID
	d.addr()   // huge objects B-tree
	d.length() // free space
	d.addr()   // free space manager
	d.length() // managed space
	d.length() // allocated managed space
	d.length() // direct block allocation iterator
	d.length() // managed objects
	d.length() // huge objects size
	d.length() // huge objects count
	d.length() // tiny objects size
	d.length() // tiny objects count
	width := int(d.u16())
	start := d.length()
	maxDirect := d.length()
	maxHeapBits := int(d.u16())
	d.u16() // starting rows of the root indirect block
	root := d.addr()
	rows := int(d.u16())
	if d.err != nil {
		return nil, d.err
	}
	if filterLen != 0 {
		return nil, fmt.Errorf("%s: filtered fractal heaps are not supported", what)
	}
	if err := checksum(b[:d.off+4], what); err != nil {
		return nil, err
	}
	if width == 0 || width > 1<<10 || start == 0 || start&(start-1) != 0 || maxDirect < start ||
		maxDirect&(maxDirect-1) != 0 || maxDirect > 1<<32 || maxHeapBits == 0 || maxHeapBits > 64 {
		return nil, fmt.Errorf("%s: implausible doubling table (width %d, blocks %d to %d, %d offset bits)", what, width, start, maxDirect, maxHeapBits)
	}
	h := &fractalHeap{f: f, what: what, offSize: (maxHeapBits + 7) / 8,
		lenSize: min(encSize(maxDirect), encSize(uint64(maxManaged)))}
	checked := flags&2 != 0
	// Row r of a doubling table holds width blocks of rowSize(r) bytes.
	rowSize := func(r int) uint64 {
		if r == 0 {
			return start
		}
		return start << (r - 1)
	}
	maxDirectRows := bits.Len64(maxDirect) - bits.Len64(start) + 2
	seen := map[uint64]bool{}
	direct := func(addr, size uint64) error {
		w := fmt.Sprintf("fractal heap direct block at %d", addr)
		blk, err := f.at(addr, size, w)
		if err != nil {
			return err
		}
		d := f.decoder(blk, w)
		d.signature("FHDB")
		d.skip(1 + f.offSize)
		off := d.uint(h.offSize)
		if d.err != nil {
			return d.err
		}
		if checked {
			// The checksum covers the block with its own field zeroed.
			at := d.off
			c := append([]byte(nil), blk...)
			want := uint32(c[at]) | uint32(c[at+1])<<8 | uint32(c[at+2])<<16 | uint32(c[at+3])<<24
			clear(c[at : at+4])
			if lookup3(c) != want {
				return fmt.Errorf("%s: checksum mismatch", w)
			}
		}
		if len(h.blocks) > 1<<16 {
			return fmt.Errorf("%s: more than %d blocks", what, 1<<16)
		}
		h.blocks = append(h.blocks, heapBlock{off, blk})
		return nil
	}
	var indirect func(addr uint64, nrows, depth int) error
	indirect = func(addr uint64, nrows, depth int) error {
		w := fmt.Sprintf("fractal heap indirect block at %d", addr)
		if depth > maxDepth || seen[addr] {
			return fmt.Errorf("%s: reached twice or nested too deep", w)
		}
		seen[addr] = true
		nd := min(nrows, maxDirectRows) * width
		ni := (nrows - min(nrows, maxDirectRows)) * width
		b, err := f.at(addr, uint64(4+1+f.offSize+h.offSize+(nd+ni)*f.offSize+4), w)
		if err != nil {
			return err
		}
		if err := checksum(b, w); err != nil {
			return err
		}
		d := f.decoder(b, w)
		d.signature("FHIB")
		d.skip(1 + f.offSize + h.offSize)
		for i := range nd + ni {
			child := d.addr()
			if d.err != nil {
				return d.err
			}
			if child == undef {
				continue
			}
			r := i / width
			if i < nd {
				err = direct(child, rowSize(r))
			} else {
				// A child indirect block of row r spans rowSize(r) bytes
				// of heap: as many rows as that takes.
				sub := bits.Len64(rowSize(r)) - bits.Len64(start*uint64(width)) + 1
				err = indirect(child, sub, depth+1)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	switch {
	case root == undef:
	case rows == 0:
		err = direct(root, start)
	default:
		err = indirect(root, rows, 0)
	}
	if err != nil {
		return nil, err
	}
	return h, nil
}

// object returns the object a heap ID names: managed (in a direct block)
// or tiny (in the ID itself).
func (h *fractalHeap) object(id []byte) ([]byte, error) {
	if len(id) == 0 {
		return nil, fmt.Errorf("%s: empty heap ID", h.what)
	}
	switch id[0] >> 4 & 3 {
	case 0:
	case 2:
		n := int(id[0]&0x0F) + 1
		if n > len(id)-1 {
			return nil, fmt.Errorf("%s: tiny object of %d bytes in an ID of %d", h.what, n, len(id))
		}
		return id[1 : 1+n], nil
	default:
		return nil, fmt.Errorf("%s: huge objects are not supported", h.what)
	}
	d := h.f.decoder(id[1:], h.what+": heap ID")
	off, n := d.uint(h.offSize), d.uint(h.lenSize)
	if d.err != nil {
		return nil, d.err
	}
	for _, b := range h.blocks {
		if off >= b.offset && off-b.offset < uint64(len(b.data)) {
			at := off - b.offset
			if n > uint64(len(b.data))-at {
				break
			}
			return b.data[at : at+n], nil
		}
	}
	return nil, fmt.Errorf("%s: no block holds %d bytes at heap offset %d", h.what, n, off)
}
