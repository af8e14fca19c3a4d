package hdf5

import "fmt"

// btree2Records returns every record of the version 2 B-tree at addr,
// whose type must be typ (5 link names, 8 attribute names).
func (f *File) btree2Records(addr uint64, typ uint8) ([][]byte, error) {
	what := fmt.Sprintf("B-tree (v2) at %d", addr)
	b, err := f.from(addr, what)
	if err != nil {
		return nil, err
	}
	d := f.decoder(b, what)
	d.signature("BTHD")
	d.skip(1) // version
	if t := d.u8(); d.err == nil && t != typ {
		return nil, fmt.Errorf("%s: type %d, want %d", what, t, typ)
	}
	nodeSize := int(d.u32())
	recSize := int(d.u16())
	depth := int(d.u16())
	d.skip(2) // split and merge percentages
	root := d.addr()
	rootN := int(d.u16())
	total := d.length()
	if d.err != nil {
		return nil, d.err
	}
	if err := checksum(b[:d.off+4], what); err != nil {
		return nil, err
	}
	const prefix = 10 // signature, version, type, checksum
	if recSize == 0 || nodeSize <= prefix || nodeSize > 1<<24 || depth > maxDepth || total > maxLinks {
		return nil, fmt.Errorf("%s: implausible header (nodes of %d bytes, records of %d, depth %d, %d records)", what, nodeSize, recSize, depth, total)
	}
	// The sizes of the child pointers' record counts, as the library
	// derives them from the node size.
	maxRec := make([]uint64, depth+1)
	cumMax := make([]uint64, depth+1)
	cumSize := make([]int, depth+1)
	maxRec[0] = uint64((nodeSize - prefix) / recSize)
	cumMax[0] = maxRec[0]
	nrecSize := encSize(maxRec[0])
	ptrSize := func(level int) int {
		s := f.offSize + nrecSize
		if level > 1 {
			s += cumSize[level-1]
		}
		return s
	}
	for u := 1; u <= depth; u++ {
		p := ptrSize(u)
		if nodeSize < prefix+p {
			return nil, fmt.Errorf("%s: nodes of %d bytes hold no pointer", what, nodeSize)
		}
		maxRec[u] = uint64((nodeSize - prefix - p) / (recSize + p))
		cumMax[u] = (maxRec[u]+1)*cumMax[u-1] + maxRec[u]
		cumSize[u] = encSize(cumMax[u])
	}
	var records [][]byte
	seen := map[uint64]bool{}
	var node func(addr uint64, n, level int) error
	node = func(addr uint64, n, level int) error {
		w := fmt.Sprintf("B-tree (v2) node at %d", addr)
		if seen[addr] {
			return fmt.Errorf("%s: reached twice (a cycle)", w)
		}
		seen[addr] = true
		if uint64(n) > maxRec[level] {
			return fmt.Errorf("%s: %d records, at most %d fit", w, n, maxRec[level])
		}
		blk, err := f.at(addr, uint64(nodeSize), w)
		if err != nil {
			return err
		}
		d := f.decoder(blk, w)
		sig := "BTLF"
		if level > 0 {
			sig = "BTIN"
		}
		d.signature(sig)
		d.skip(1)
		if t := d.u8(); d.err == nil && t != typ {
			return fmt.Errorf("%s: type %d, want %d", w, t, typ)
		}
		for range n {
			records = append(records, d.bytes(recSize))
		}
		type child struct {
			addr uint64
			n    int
		}
		var children []child
		if level > 0 {
			for range n + 1 {
				c := child{addr: d.addr(), n: int(d.uint(nrecSize))}
				if level > 1 {
					d.uint(cumSize[level-1])
				}
				children = append(children, c)
			}
		}
		if d.err != nil {
			return d.err
		}
		if err := checksum(blk[:d.off+4], w); err != nil {
			return err
		}
		if uint64(len(records)) > total {
			return fmt.Errorf("%s: more records than the %d the header counts", what, total)
		}
		for _, c := range children {
			if err := node(c.addr, c.n, level-1); err != nil {
				return err
			}
		}
		return nil
	}
	if root != undef && rootN > 0 {
		if err := node(root, rootN, depth); err != nil {
			return nil, err
		}
	}
	if uint64(len(records)) != total {
		return nil, fmt.Errorf("%s: %d records, the header counts %d", what, len(records), total)
	}
	return records, nil
}
