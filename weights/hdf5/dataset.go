package hdf5

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/resc-dev/resc/weights/safetensors"
)

// maxChunkCount bounds the chunks of one dataset.
const maxChunkCount = 1 << 24

// Shape returns the dimensions of a dataset (nil for a scalar).
func (o *Object) Shape() ([]int, error) {
	m, err := o.message(msgDataspace)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("%s: no dataspace", o.what())
	}
	dims, null, err := o.f.parseDataspace(m.data)
	if err == nil && null {
		err = fmt.Errorf("empty (null) dataspace")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.what(), err)
	}
	return dims, nil
}

// Datatype returns the element type of a dataset.
func (o *Object) Datatype() (Datatype, error) {
	m, err := o.message(msgDatatype)
	if err != nil {
		return Datatype{}, err
	}
	if m == nil {
		return Datatype{}, fmt.Errorf("%s: no datatype", o.what())
	}
	t, err := o.f.parseDatatype(m.data)
	if err != nil {
		return t, fmt.Errorf("%s: %w", o.what(), err)
	}
	return t, nil
}

// Float32s reads a float dataset (IEEE binary16, 32 or 64, either byte
// order) as float32 values in row-major order, with its shape.
func (o *Object) Float32s() ([]float32, []int, error) {
	t, err := o.Datatype()
	if err != nil {
		return nil, nil, err
	}
	if t.Class != ClassFloat {
		return nil, nil, fmt.Errorf("%s: a dataset of %s, not floats", o.what(), t)
	}
	shape, err := o.Shape()
	if err != nil {
		return nil, nil, err
	}
	raw, err := o.raw(t.Size, shape)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", o.what(), err)
	}
	return floats(t, raw), shape, nil
}

// floats converts raw elements of a float type to float32.
func floats(t Datatype, raw []byte) []float32 {
	out := make([]float32, len(raw)/t.Size)
	if t.Size == 4 && t.Order == binary.LittleEndian {
		// The common case, without a call through the interface.
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		return out
	}
	for i := range out {
		b := raw[i*t.Size:]
		switch t.Size {
		case 2:
			out[i] = safetensors.HalfToFloat32(t.Order.Uint16(b))
		case 4:
			out[i] = math.Float32frombits(t.Order.Uint32(b))
		case 8:
			out[i] = float32(math.Float64frombits(t.Order.Uint64(b)))
		}
	}
	return out
}

// raw reads the bytes of a dataset of elements of elem bytes.
func (o *Object) raw(elem int, shape []int) ([]byte, error) {
	f := o.f
	n, err := count(shape, f.MaxDataBytes/int64(elem))
	if err != nil {
		return nil, err
	}
	size := n * int64(elem)
	m, err := o.message(msgLayout)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("no data layout")
	}
	d := f.decoder(m.data, "data layout message")
	version := d.u8()
	var class uint8
	switch version {
	case 1, 2:
		return nil, fmt.Errorf("data layout message version %d is not supported (3 and 4 are)", version)
	case 3, 4:
		class = d.u8()
	default:
		if d.err == nil {
			return nil, fmt.Errorf("data layout message version %d, want 3 or 4", version)
		}
	}
	switch class {
	case 0: // compact
		data := d.bytes(int(d.u16()))
		if d.err != nil {
			return nil, d.err
		}
		if int64(len(data)) != size {
			return nil, fmt.Errorf("compact data of %d bytes, the shape needs %d", len(data), size)
		}
		return data, nil
	case 1: // contiguous
		addr, stored := d.addr(), d.length()
		if d.err != nil {
			return nil, d.err
		}
		if stored != uint64(size) {
			return nil, fmt.Errorf("contiguous data of %d bytes, the shape needs %d", stored, size)
		}
		if size == 0 {
			return nil, nil
		}
		return f.at(addr, stored, "contiguous data")
	case 2:
		c, err := f.parseChunked(d, version, elem, len(shape))
		if err != nil {
			return nil, err
		}
		c.unlimited = o.unlimitedDim()
		filters, err := o.filters()
		if err != nil {
			return nil, err
		}
		return c.read(f, shape, size, filters)
	}
	if d.err != nil {
		return nil, d.err
	}
	return nil, fmt.Errorf("data layout class %d is not supported (compact, contiguous and chunked are)", class)
}

// A chunkIndex says where a chunked dataset's chunks are.
type chunkIndex struct {
	dims []int // chunk dimensions, without the element size
	kind uint8 // 0 v1 B-tree; 1 single chunk; 2 implicit; 3 fixed array
	addr uint64
	// A single filtered chunk's stored size and filter mask.
	singleSize uint64
	singleMask uint32
	filtered   bool
	unlimited  int // the unlimited dimension, for the extensible array
}

func (f *File) parseChunked(d *decoder, version uint8, elem, rank int) (*chunkIndex, error) {
	c := &chunkIndex{}
	var ndims int
	var dims []uint64
	if version == 3 {
		ndims = int(d.u8())
		c.addr = d.addr()
		for range ndims {
			dims = append(dims, uint64(d.u32()))
		}
	} else {
		flags := d.u8()
		ndims = int(d.u8())
		enc := int(d.u8())
		if d.err == nil && (enc < 1 || enc > 8) {
			return nil, fmt.Errorf("chunk dimensions of %d bytes", enc)
		}
		for range ndims {
			dims = append(dims, d.uint(enc))
		}
		c.kind = d.u8()
		switch c.kind {
		case 1:
			if flags&2 != 0 {
				c.filtered = true
				c.singleSize = d.length()
				c.singleMask = d.u32()
			}
		case 2:
		case 3:
			d.skip(1) // page bits
		case 4:
			d.skip(5) // the extensible array's parameters, repeated in its header
		case 5:
			d.skip(4 + 1 + 1) // node size, split and merge percentages
		default:
			if d.err == nil {
				return nil, fmt.Errorf("chunk index type %d is unknown", c.kind)
			}
		}
		c.addr = d.addr()
	}
	if d.err != nil {
		return nil, d.err
	}
	// The last dimension is the element size.
	if ndims != rank+1 || dims[rank] != uint64(elem) {
		return nil, fmt.Errorf("chunks of %d dimensions (element size %v) for a dataset of rank %d and %d-byte elements", ndims, dims, rank, elem)
	}
	for _, n := range dims[:rank] {
		if n == 0 || n > math.MaxInt32 {
			return nil, fmt.Errorf("chunk dimension %d", n)
		}
		c.dims = append(c.dims, int(n))
	}
	return c, nil
}

// A filter is one stage of a dataset's filter pipeline.
type filter struct {
	id       uint16
	optional bool
	values   []uint32
}

const (
	filterDeflate    = 1
	filterShuffle    = 2
	filterFletcher32 = 3
)

// filters decodes the dataset's filter pipeline message, if any.
func (o *Object) filters() ([]filter, error) {
	m, err := o.message(msgFilters)
	if err != nil || m == nil {
		return nil, err
	}
	d := o.f.decoder(m.data, "filter pipeline message")
	version := d.u8()
	n := int(d.u8())
	if version == 1 {
		d.skip(6)
	} else if d.err == nil && version != 2 {
		return nil, fmt.Errorf("filter pipeline message version %d, want 1 or 2", version)
	}
	var fs []filter
	for range n {
		var fl filter
		fl.id = d.u16()
		nameLen := 0
		if version == 1 || fl.id >= 256 {
			nameLen = int(d.u16())
		}
		flags := d.u16()
		fl.optional = flags&1 != 0
		nvalues := int(d.u16())
		if version == 1 {
			nameLen = (nameLen + 7) &^ 7
		}
		d.skip(nameLen)
		if nvalues > len(m.data) {
			d.fail("%d client values", nvalues)
		}
		for range nvalues {
			fl.values = append(fl.values, d.u32())
		}
		if version == 1 && nvalues%2 == 1 {
			d.skip(4)
		}
		if d.err != nil {
			return nil, d.err
		}
		switch fl.id {
		case filterDeflate, filterShuffle, filterFletcher32:
		default:
			return nil, fmt.Errorf("filter %d is not supported (deflate, shuffle and fletcher32 are)", fl.id)
		}
		fs = append(fs, fl)
	}
	return fs, d.err
}

// A chunk is one stored chunk: its offset in the dataset, where it is, how
// many bytes it takes and which filters were skipped.
type chunk struct {
	offset []int
	addr   uint64
	size   uint64
	mask   uint32
}

func (c *chunkIndex) read(f *File, shape []int, size int64, filters []filter) ([]byte, error) {
	rank := len(shape)
	elem := int(size)
	if n, _ := count(shape, math.MaxInt64); n > 0 {
		elem = int(size / n)
	}
	chunkBytes := int64(elem)
	grid := make([]int, rank)
	nchunks := int64(1)
	for i, n := range c.dims {
		chunkBytes *= int64(n)
		if chunkBytes > f.MaxDataBytes {
			return nil, fmt.Errorf("chunks of %v elements exceed the limit of %d bytes", c.dims, f.MaxDataBytes)
		}
		grid[i] = (shape[i] + n - 1) / n
		nchunks *= int64(grid[i])
		if nchunks > maxChunkCount {
			return nil, fmt.Errorf("more than %d chunks", maxChunkCount)
		}
	}
	if size == 0 {
		return nil, nil
	}
	var chunks []chunk
	switch c.kind {
	case 0:
		keySize := 8 + 8*(rank+1)
		err := f.btree1(c.addr, 1, keySize, func(key []byte, child uint64) error {
			d := f.decoder(key, "chunk key")
			ch := chunk{addr: child, size: uint64(d.u32()), mask: d.u32()}
			for range rank {
				ch.offset = append(ch.offset, int(min(d.uint(8), math.MaxInt32)))
			}
			if len(chunks) >= int(nchunks) {
				return fmt.Errorf("more chunks than the %d the shape has", nchunks)
			}
			chunks = append(chunks, ch)
			return d.err
		})
		if err != nil {
			return nil, err
		}
	case 1:
		sz := uint64(chunkBytes)
		if c.filtered {
			sz = c.singleSize
		}
		chunks = []chunk{{offset: make([]int, rank), addr: c.addr, size: sz, mask: c.singleMask}}
	case 2:
		if len(filters) > 0 {
			return nil, fmt.Errorf("implicit chunk index with filters")
		}
		// The chunks lie one after another: all of them must be in the file.
		if _, err := f.at(c.addr, uint64(nchunks*chunkBytes), "implicitly indexed chunks"); err != nil {
			return nil, err
		}
		for i := range nchunks {
			chunks = append(chunks, chunk{offset: gridOffset(i, grid, c.dims), addr: c.addr + uint64(i*chunkBytes), size: uint64(chunkBytes)})
		}
	case 3:
		var err error
		if chunks, err = f.fixedArray(c.addr, grid, c.dims, nchunks, len(filters) > 0, chunkBytes); err != nil {
			return nil, err
		}
	case 4:
		if c.unlimited < 0 {
			return nil, fmt.Errorf("an extensible array chunk index for a dataset without an unlimited dimension")
		}
		var err error
		if chunks, err = f.extensibleArray(c.addr, grid, c.dims, c.unlimited, nchunks, len(filters) > 0, chunkBytes); err != nil {
			return nil, err
		}
	case 5:
		var err error
		if chunks, err = f.btree2Chunks(c.addr, c.dims, len(filters) > 0, chunkBytes); err != nil {
			return nil, err
		}
	}
	// Before anything is allocated: every chunk is on the grid, once, and
	// in the file, with enough bytes to inflate to its size (deflate
	// expands at most 1032 times), so the output is bounded by the file.
	ratio := uint64(1)
	for _, fl := range filters {
		if fl.id == filterDeflate {
			ratio = 1040
		}
	}
	covered := map[int64]bool{}
	stored := make([][]byte, len(chunks))
	var total uint64 // stored bytes: chunks may not share them
	for k, ch := range chunks {
		at := int64(0)
		for i, o := range ch.offset {
			if o%c.dims[i] != 0 || o >= shape[i] {
				return nil, fmt.Errorf("chunk at %v is off the grid of %v chunks in %v", ch.offset, c.dims, shape)
			}
			at = at*int64(grid[i]) + int64(o/c.dims[i])
		}
		if covered[at] {
			return nil, fmt.Errorf("chunk at %v is stored twice", ch.offset)
		}
		covered[at] = true
		if ch.size > math.MaxInt64/ratio || int64(ch.size*ratio) < chunkBytes {
			return nil, fmt.Errorf("chunk at %v: %d stored bytes cannot hold %d", ch.offset, ch.size, chunkBytes)
		}
		var err error
		if stored[k], err = f.at(ch.addr, ch.size, fmt.Sprintf("chunk at %v", ch.offset)); err != nil {
			return nil, err
		}
		if total += ch.size; total > uint64(len(f.data)) {
			return nil, fmt.Errorf("the chunks take more bytes than the file has (they overlap)")
		}
	}
	if int64(len(covered)) != nchunks {
		return nil, fmt.Errorf("%d of the %d chunks are stored (unwritten chunks are not supported)", len(covered), nchunks)
	}
	// Chunks fill disjoint parts of out: they are decoded in parallel.
	out := make([]byte, size)
	err := forEach(len(chunks), func(k int) error {
		ch := chunks[k]
		data, err := unfilter(stored[k], filters, ch.mask, int(chunkBytes))
		if err != nil {
			return fmt.Errorf("chunk at %v: %w", ch.offset, err)
		}
		place(out, data, shape, c.dims, ch.offset, elem)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// forEach calls do(0), ..., do(n-1) on all cores and returns the error
// of the lowest index that failed, so that the error does not depend on
// the schedule.
func forEach(n int, do func(i int) error) error {
	var next atomic.Int64
	var mu sync.Mutex
	first, firstErr := n, error(nil)
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := do(i); err != nil {
					mu.Lock()
					if i < first {
						first, firstErr = i, err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// gridOffset is the dataset offset of chunk i of a grid in row-major order.
func gridOffset(i int64, grid, dims []int) []int {
	off := make([]int, len(grid))
	for k := len(grid) - 1; k >= 0; k-- {
		off[k] = int(i%int64(grid[k])) * dims[k]
		i /= int64(grid[k])
	}
	return off
}

// place copies a chunk's elements into the dataset, clipped at its edges.
func place(out, data []byte, shape, dims, offset []int, elem int) {
	rank := len(shape)
	if rank == 0 {
		copy(out, data)
		return
	}
	idx := make([]int, rank-1) // position in the chunk, outer dimensions
	run := min(dims[rank-1], shape[rank-1]-offset[rank-1]) * elem
	for {
		src, dst, inside := 0, 0, true
		for k := 0; k < rank; k++ {
			i := 0
			if k < rank-1 {
				i = idx[k]
			}
			if offset[k]+i >= shape[k] {
				inside = false
			}
			src = src*dims[k] + i
			dst = dst*shape[k] + offset[k] + i
		}
		if inside {
			copy(out[dst*elem:dst*elem+run], data[src*elem:])
		}
		k := rank - 2
		for ; k >= 0; k-- {
			if idx[k]++; idx[k] < dims[k] {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}

// fixedArray lists the chunks of a fixed array index (unpaged).
func (f *File) fixedArray(addr uint64, grid, dims []int, nchunks int64, filtered bool, chunkBytes int64) ([]chunk, error) {
	what := fmt.Sprintf("fixed array header at %d", addr)
	b, err := f.from(addr, what)
	if err != nil {
		return nil, err
	}
	d := f.decoder(b, what)
	d.signature("FAHD")
	d.skip(1) // version
	client := d.u8()
	entry := int(d.u8())
	pageBits := d.u8()
	n := d.length()
	block := d.addr()
	if d.err != nil {
		return nil, d.err
	}
	if err := checksum(b[:d.off+4], what); err != nil {
		return nil, err
	}
	if n != uint64(nchunks) {
		return nil, fmt.Errorf("%s: %d entries for %d chunks", what, n, nchunks)
	}
	if (client == 1) != filtered {
		return nil, fmt.Errorf("%s: client %d does not match the filter pipeline", what, client)
	}
	sizeLen := entry - f.offSize - 4
	if (filtered && (sizeLen < 1 || sizeLen > 8)) || (!filtered && entry != f.offSize) {
		return nil, fmt.Errorf("%s: entries of %d bytes", what, entry)
	}
	if pageBits > 32 {
		return nil, fmt.Errorf("%s: pages of 2^%d entries", what, pageBits)
	}
	// The data block: its prefix, then the entries, or, when there are
	// more than a page of them, a bitmap of the pages written, its
	// checksum, and the pages (entries and checksum each) after it.
	what = fmt.Sprintf("fixed array data block at %d", block)
	prefix := uint64(4 + 2 + f.offSize)
	pageLen := uint64(1) << pageBits
	var pages [][]byte // the entries of each page; nil for a page never written
	if n <= pageLen {
		blk, err := f.at(block, prefix+n*uint64(entry)+4, what)
		if err != nil {
			return nil, err
		}
		if err := checksum(blk, what); err != nil {
			return nil, err
		}
		pages = [][]byte{blk[prefix : len(blk)-4]}
	} else {
		npages := (n + pageLen - 1) / pageLen
		bitmap := (npages + 7) / 8
		blk, err := f.at(block, prefix+bitmap+4, what)
		if err != nil {
			return nil, err
		}
		if err := checksum(blk, what); err != nil {
			return nil, err
		}
		at := block + uint64(len(blk))
		for p := range npages {
			entries := min(pageLen, n-p*pageLen) * uint64(entry)
			if blk[prefix+p/8]&(0x80>>(p%8)) == 0 {
				pages = append(pages, nil)
			} else {
				pg, err := f.at(at, entries+4, fmt.Sprintf("%s: page %d", what, p))
				if err != nil {
					return nil, err
				}
				if err := checksum(pg, fmt.Sprintf("%s: page %d", what, p)); err != nil {
					return nil, err
				}
				pages = append(pages, pg[:entries])
			}
			at += entries + 4
		}
	}
	if string(f.data[block:block+4]) != "FADB" {
		return nil, fmt.Errorf("%s: signature %q, want \"FADB\"", what, f.data[block:block+4])
	}
	var chunks []chunk
	for p, pg := range pages {
		d := f.decoder(pg, what)
		for j := 0; len(pg)-d.off >= entry; j++ {
			i := int64(p)*int64(pageLen) + int64(j)
			ch := chunk{offset: gridOffset(i, grid, dims), addr: d.addr(), size: uint64(chunkBytes)}
			if filtered {
				ch.size = d.uint(sizeLen)
				ch.mask = d.u32()
			}
			if ch.addr != undef {
				chunks = append(chunks, ch)
			}
		}
	}
	return chunks, nil
}

// btree2Chunks lists the chunks of a version 2 B-tree chunk index (the
// one for datasets with several unlimited dimensions): records of the
// chunk's address, for filtered chunks its stored size and filter mask,
// then its offset in chunks along each dimension.
func (f *File) btree2Chunks(addr uint64, dims []int, filtered bool, chunkBytes int64) ([]chunk, error) {
	typ, sizeLen := uint8(10), 0
	if filtered {
		// As the library sizes it: enough bytes for the unfiltered size,
		// and one more.
		typ, sizeLen = 11, min(8, 1+(bits.Len64(uint64(chunkBytes))-1+8)/8)
	}
	recs, err := f.btree2Records(addr, typ)
	if err != nil {
		return nil, err
	}
	want := f.offSize + 8*len(dims)
	if filtered {
		want += sizeLen + 4
	}
	var chunks []chunk
	for _, r := range recs {
		if len(r) != want {
			return nil, fmt.Errorf("chunk index record of %d bytes, want %d", len(r), want)
		}
		d := f.decoder(r, "chunk index record")
		ch := chunk{addr: d.addr(), size: uint64(chunkBytes)}
		if filtered {
			ch.size = d.uint(sizeLen)
			ch.mask = d.u32()
		}
		for _, n := range dims {
			scaled := d.uint(8)
			if scaled > math.MaxInt32/uint64(n) {
				return nil, fmt.Errorf("chunk index record: chunk offset %d", scaled)
			}
			ch.offset = append(ch.offset, int(scaled)*n)
		}
		chunks = append(chunks, ch)
	}
	return chunks, nil
}

// unfilter undoes the filter pipeline on a stored chunk, which must then
// hold exactly want bytes.
func unfilter(b []byte, filters []filter, mask uint32, want int) ([]byte, error) {
	for i := len(filters) - 1; i >= 0; i-- {
		if i < 32 && mask&(1<<i) != 0 {
			continue
		}
		var err error
		switch fl := filters[i]; fl.id {
		case filterDeflate:
			b, err = inflate(b, want+64) // room for checksums after it
		case filterShuffle:
			es := 1
			if len(fl.values) > 0 {
				es = int(fl.values[0])
			}
			b = unshuffle(b, es)
		case filterFletcher32:
			b, err = checkFletcher32(b)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(b) != want {
		return nil, fmt.Errorf("%d bytes after the filters, want %d", len(b), want)
	}
	return b, nil
}

// unshuffle undoes the shuffle filter: the first bytes of every element,
// then the second bytes, and so on; a tail shorter than an element is
// left as it is.
func unshuffle(b []byte, es int) []byte {
	if es <= 1 || len(b) < es {
		return b
	}
	n := len(b) / es
	out := make([]byte, len(b))
	for j := range es {
		for i := range n {
			out[i*es+j] = b[j*n+i]
		}
	}
	copy(out[n*es:], b[n*es:])
	return out
}
