package hdf5

import (
	"fmt"
	"math/bits"
)

// unlimitedDim returns the first dimension of a dataset whose maximum
// size is unlimited, or -1.
func (o *Object) unlimitedDim() int {
	m, err := o.message(msgDataspace)
	if err != nil || m == nil {
		return -1
	}
	d := o.f.decoder(m.data, "dataspace message")
	version, rank, flags := d.u8(), int(d.u8()), d.u8()
	if version == 1 {
		d.skip(5)
	} else {
		d.skip(1)
	}
	if flags&1 == 0 || rank > maxRank {
		return -1
	}
	d.skip(rank * o.f.lenSize)
	all := ^uint64(0) >> (64 - 8*o.f.lenSize)
	for i := range rank {
		if d.uint(o.f.lenSize) == all && d.err == nil {
			return i
		}
	}
	return -1
}

// An eaGeometry is the layout of an extensible array's elements, derived
// from its creation parameters as the library derives it: after the
// index block's own elements, super block u holds 2^(u/2) data blocks of
// 2^((u+1)/2) * minElems elements; the first super blocks' data blocks are
// listed in the index block itself.
type eaGeometry struct {
	idxElems  uint64
	minElems  uint64
	pageElems uint64
	sblk      []eaSuperBlock
	inIndex   int // super blocks whose data blocks the index block lists
	dblkAddrs int // data block addresses in the index block
}

type eaSuperBlock struct {
	ndblks, dblkElems, startIdx, startDblk uint64
}

// extensibleArray lists the chunks of an extensible array chunk index (a
// dataset with one unlimited dimension, under libver latest). Element i
// is the chunk i in row-major order over the chunk grid with the
// unlimited dimension outermost.
func (f *File) extensibleArray(addr uint64, grid, dims []int, unlimited int, nchunks int64, filtered bool, chunkBytes int64) ([]chunk, error) {
	what := fmt.Sprintf("extensible array header at %d", addr)
	b, err := f.from(addr, what)
	if err != nil {
		return nil, err
	}
	d := f.decoder(b, what)
	d.signature("EAHD")
	d.skip(1) // version
	client := d.u8()
	elem := int(d.u8())
	maxBits, idxElems, minElems, minPtrs, pageBits := d.u8(), d.u8(), d.u8(), d.u8(), d.u8()
	for range 6 {
		d.length() // statistics
	}
	iblock := d.addr()
	if d.err != nil {
		return nil, d.err
	}
	if err := checksum(b[:d.off+4], what); err != nil {
		return nil, err
	}
	if (client == 1) != filtered {
		return nil, fmt.Errorf("%s: client %d does not match the filter pipeline", what, client)
	}
	sizeLen := elem - f.offSize - 4
	if (filtered && (sizeLen < 1 || sizeLen > 8)) || (!filtered && elem != f.offSize) {
		return nil, fmt.Errorf("%s: elements of %d bytes", what, elem)
	}
	pow2 := func(n uint8) bool { return n != 0 && n&(n-1) == 0 }
	if !pow2(minElems) || !pow2(minPtrs) || maxBits > 64 || int(maxBits) < bits.Len8(minElems)-1 || pageBits > 32 {
		return nil, fmt.Errorf("%s: implausible parameters", what)
	}
	g := eaGeometry{idxElems: uint64(idxElems), minElems: uint64(minElems), pageElems: 1 << pageBits}
	var start, startDblk uint64
	for u := range 1 + int(maxBits) - (bits.Len8(minElems) - 1) {
		s := eaSuperBlock{ndblks: 1 << (u / 2), dblkElems: (1 << ((u + 1) / 2)) * uint64(minElems), startIdx: start, startDblk: startDblk}
		g.sblk = append(g.sblk, s)
		start += s.ndblks * s.dblkElems
		startDblk += s.ndblks
	}
	g.inIndex = 2 * (bits.Len8(minPtrs) - 1)
	g.dblkAddrs = 2 * (int(minPtrs) - 1)
	nsblkAddrs := len(g.sblk) - g.inIndex
	if nsblkAddrs < 0 {
		return nil, fmt.Errorf("%s: implausible parameters", what)
	}

	// The index block: elements, data block and super block addresses.
	what = fmt.Sprintf("extensible array index block at %d", iblock)
	prefix := 4 + 2 + f.offSize
	ib, err := f.at(iblock, uint64(prefix+int(idxElems)*elem+(g.dblkAddrs+nsblkAddrs)*f.offSize+4), what)
	if err != nil {
		return nil, err
	}
	if string(ib[:4]) != "EAIB" {
		return nil, fmt.Errorf("%s: no EAIB signature", what)
	}
	if err := checksum(ib, what); err != nil {
		return nil, err
	}
	d = f.decoder(ib[prefix:], what)
	idxData := d.bytes(int(idxElems) * elem)
	var dblks, sblks []uint64
	for range g.dblkAddrs {
		dblks = append(dblks, d.addr())
	}
	for range nsblkAddrs {
		sblks = append(sblks, d.addr())
	}
	if d.err != nil {
		return nil, d.err
	}

	blocks := map[uint64][]byte{} // data blocks' elements by address
	dataBlock := func(addr, n uint64) ([]byte, error) {
		if b, ok := blocks[addr]; ok {
			return b, nil
		}
		w := fmt.Sprintf("extensible array data block at %d", addr)
		if n > g.pageElems {
			return nil, fmt.Errorf("%s: paged data blocks (over %d chunks each) are not supported", w, g.pageElems)
		}
		pre := uint64(4 + 2 + f.offSize + (int(maxBits)+7)/8)
		blk, err := f.at(addr, pre+n*uint64(elem)+4, w)
		if err != nil {
			return nil, err
		}
		if string(blk[:4]) != "EADB" {
			return nil, fmt.Errorf("%s: no EADB signature", w)
		}
		if err := checksum(blk, w); err != nil {
			return nil, err
		}
		blocks[addr] = blk[pre : len(blk)-4]
		return blocks[addr], nil
	}
	supers := map[uint64][]uint64{} // super blocks' data block addresses
	superBlock := func(addr uint64, s eaSuperBlock) ([]uint64, error) {
		if a, ok := supers[addr]; ok {
			return a, nil
		}
		w := fmt.Sprintf("extensible array super block at %d", addr)
		if s.dblkElems > g.pageElems {
			return nil, fmt.Errorf("%s: paged data blocks (over %d chunks each) are not supported", w, g.pageElems)
		}
		pre := 4 + 2 + f.offSize + (int(maxBits)+7)/8
		blk, err := f.at(addr, uint64(pre)+s.ndblks*uint64(f.offSize)+4, w)
		if err != nil {
			return nil, err
		}
		if string(blk[:4]) != "EASB" {
			return nil, fmt.Errorf("%s: no EASB signature", w)
		}
		if err := checksum(blk, w); err != nil {
			return nil, err
		}
		d := f.decoder(blk[pre:], w)
		var a []uint64
		for range s.ndblks {
			a = append(a, d.addr())
		}
		supers[addr] = a
		return a, d.err
	}

	// The grid with the unlimited dimension outermost.
	order := []int{unlimited}
	for k := range grid {
		if k != unlimited {
			order = append(order, k)
		}
	}
	pgrid, pdims := make([]int, len(order)), make([]int, len(order))
	for k, dim := range order {
		pgrid[k], pdims[k] = grid[dim], dims[dim]
	}
	var chunks []chunk
	for i := range uint64(nchunks) {
		var e []byte
		if i < g.idxElems {
			e = idxData[i*uint64(elem):]
		} else {
			el := i - g.idxElems
			u := bits.Len64(el/g.minElems+1) - 1
			if u >= len(g.sblk) {
				return nil, fmt.Errorf("extensible array: chunk %d is past its %d super blocks", i, len(g.sblk))
			}
			s := g.sblk[u]
			local := el - s.startIdx
			var dblk uint64
			if u < g.inIndex {
				k := s.startDblk + local/s.dblkElems
				if k >= uint64(len(dblks)) {
					return nil, fmt.Errorf("extensible array: data block %d of %d", k, len(dblks))
				}
				dblk = dblks[k]
			} else {
				sb := sblks[u-g.inIndex]
				if sb == undef {
					continue // never written
				}
				a, err := superBlock(sb, s)
				if err != nil {
					return nil, err
				}
				dblk = a[local/s.dblkElems]
			}
			if dblk == undef {
				continue
			}
			data, err := dataBlock(dblk, s.dblkElems)
			if err != nil {
				return nil, err
			}
			e = data[(local%s.dblkElems)*uint64(elem):]
		}
		d := f.decoder(e[:elem], "extensible array element")
		ch := chunk{addr: d.addr(), size: uint64(chunkBytes)}
		if filtered {
			ch.size = d.uint(sizeLen)
			ch.mask = d.u32()
		}
		if ch.addr == undef {
			continue
		}
		p := gridOffset(int64(i), pgrid, pdims)
		ch.offset = make([]int, len(grid))
		for k, dim := range order {
			ch.offset[dim] = p[k]
		}
		chunks = append(chunks, ch)
	}
	return chunks, nil
}
