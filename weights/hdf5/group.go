package hdf5

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// A Link is a named hard link from a group to an object. Soft and
// external links are not listed: nothing Keras writes uses them.
type Link struct {
	Name string
	addr uint64
}

// Root returns the root group.
func (f *File) Root() (*Object, error) { return f.object(f.root) }

// IsGroup reports whether o is a group: it has a symbol table, link
// info or link messages.
func (o *Object) IsGroup() bool {
	for _, m := range o.msgs {
		switch m.typ {
		case msgSymbolTable, msgLinkInfo, msgLink:
			return true
		}
	}
	return false
}

// IsDataset reports whether o is a dataset: it has a data layout.
func (o *Object) IsDataset() bool {
	for _, m := range o.msgs {
		if m.typ == msgLayout {
			return true
		}
	}
	return false
}

// Links returns the hard links of a group, sorted by name.
func (o *Object) Links() ([]Link, error) {
	if o.links == nil {
		links, err := o.readLinks()
		if err != nil {
			return nil, err
		}
		o.links = append(links, Link{})[:len(links)] // non-nil when empty
	}
	return o.links, nil
}

func (o *Object) readLinks() ([]Link, error) {
	var links []Link
	st, err := o.message(msgSymbolTable)
	if err != nil {
		return nil, err
	}
	if st != nil {
		d := o.f.decoder(st.data, o.what()+": symbol table message")
		btree, heap := d.addr(), d.addr()
		if d.err != nil {
			return nil, d.err
		}
		if links, err = o.f.symbolTable(btree, heap); err != nil {
			return nil, err
		}
	}
	ms, err := o.messages(msgLink)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		l, ok, err := o.f.parseLink(m.data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.what(), err)
		}
		if ok {
			links = append(links, l)
		}
	}
	li, err := o.message(msgLinkInfo)
	if err != nil {
		return nil, err
	}
	if li != nil {
		dense, err := o.f.denseLinks(li.data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.what(), err)
		}
		links = append(links, dense...)
	}
	if len(links) > maxLinks {
		return nil, fmt.Errorf("%s: more than %d links", o.what(), maxLinks)
	}
	sort.Slice(links, func(i, j int) bool { return links[i].Name < links[j].Name })
	for i := 1; i < len(links); i++ {
		if links[i].Name == links[i-1].Name {
			return nil, fmt.Errorf("%s: two links named %q", o.what(), links[i].Name)
		}
	}
	return links, nil
}

// Open follows a path of link names separated by "/" from o.
func (o *Object) Open(path string) (*Object, error) {
	cur := o
	for _, name := range strings.Split(path, "/") {
		if name == "" {
			continue
		}
		links, err := cur.Links()
		if err != nil {
			return nil, err
		}
		i := sort.Search(len(links), func(i int) bool { return links[i].Name >= name })
		if i == len(links) || links[i].Name != name {
			return nil, fmt.Errorf("%q: no member %q", path, name)
		}
		if cur, err = o.f.object(links[i].addr); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// Child returns the object a link of o points to.
func (o *Object) Child(l Link) (*Object, error) { return o.f.object(l.addr) }

// Addr is the address of o's header: equal addresses are the same object.
func (o *Object) Addr() uint64 { return o.addr }

// parseLink decodes a link message; ok is false for soft and external links.
func (f *File) parseLink(b []byte) (l Link, ok bool, err error) {
	d := f.decoder(b, "link message")
	if v := d.u8(); d.err == nil && v != 1 {
		return l, false, fmt.Errorf("link message version %d, want 1", v)
	}
	flags := d.u8()
	typ := uint8(0)
	if flags&0x08 != 0 {
		typ = d.u8()
	}
	if flags&0x04 != 0 {
		d.skip(8) // creation order
	}
	if flags&0x10 != 0 {
		d.skip(1) // character set
	}
	n := d.uint(1 << (flags & 3))
	if n > uint64(len(b)) {
		return l, false, fmt.Errorf("link message: name of %d bytes in a message of %d", n, len(b))
	}
	l.Name = string(d.bytes(int(n)))
	if typ == 0 {
		l.addr = d.addr()
	}
	if d.err != nil {
		return l, false, d.err
	}
	if err := checkName(l.Name); err != nil {
		return l, false, err
	}
	return l, typ == 0, nil
}

func checkName(name string) error {
	if name == "" || strings.Contains(name, "/") || name == "." {
		return fmt.Errorf("invalid link name %q", name)
	}
	return nil
}

// localHeap returns the data segment of the local heap at addr.
func (f *File) localHeap(addr uint64) ([]byte, error) {
	what := fmt.Sprintf("local heap at %d", addr)
	b, err := f.from(addr, what)
	if err != nil {
		return nil, err
	}
	d := f.decoder(b, what)
	d.signature("HEAP")
	d.skip(4) // version, reserved
	size := d.length()
	d.length() // free list head
	seg := d.addr()
	if d.err != nil {
		return nil, d.err
	}
	return f.at(seg, size, what+": data segment")
}

// symbolTable lists the entries of an old-style group: a version 1 B-tree
// of symbol table nodes, names in a local heap.
func (f *File) symbolTable(btree, heapAddr uint64) ([]Link, error) {
	heap, err := f.localHeap(heapAddr)
	if err != nil {
		return nil, err
	}
	var links []Link
	err = f.btree1(btree, 0, f.lenSize, func(_ []byte, child uint64) error {
		what := fmt.Sprintf("symbol table node at %d", child)
		b, err := f.from(child, what)
		if err != nil {
			return err
		}
		d := f.decoder(b, what)
		d.signature("SNOD")
		d.skip(2) // version, reserved
		n := int(d.u16())
		for i := 0; i < n && d.err == nil; i++ {
			nameOff := d.uint(f.offSize)
			addr := d.addr()
			d.skip(4 + 4 + 16) // cache type, reserved, scratch pad
			if d.err != nil {
				break
			}
			name, err := heapString(heap, nameOff)
			if err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if err := checkName(name); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			if len(links) >= maxLinks {
				return fmt.Errorf("%s: more than %d links", what, maxLinks)
			}
			links = append(links, Link{name, addr})
		}
		return d.err
	})
	return links, err
}

// heapString is the NUL-terminated string at off in a local heap.
func heapString(heap []byte, off uint64) (string, error) {
	if off >= uint64(len(heap)) {
		return "", fmt.Errorf("name offset %d is outside the local heap (%d bytes)", off, len(heap))
	}
	s := heap[off:]
	i := bytes.IndexByte(s, 0)
	if i < 0 {
		return "", fmt.Errorf("name at heap offset %d is not terminated", off)
	}
	return string(s[:i]), nil
}

// btree1 visits the leaves of a version 1 B-tree of node type typ (0
// groups, 1 chunks) whose keys are keySize bytes: for each child of a
// leaf node, the key before it and the child's address.
func (f *File) btree1(addr uint64, typ uint8, keySize int, visit func(key []byte, child uint64) error) error {
	seen := map[uint64]bool{}
	var walk func(addr uint64, depth int, wantLevel int) error
	walk = func(addr uint64, depth int, wantLevel int) error {
		what := fmt.Sprintf("B-tree node at %d", addr)
		if depth > maxDepth {
			return fmt.Errorf("%s: deeper than %d levels", what, maxDepth)
		}
		if seen[addr] {
			return fmt.Errorf("%s: reached twice (a cycle)", what)
		}
		seen[addr] = true
		b, err := f.from(addr, what)
		if err != nil {
			return err
		}
		d := f.decoder(b, what)
		d.signature("TREE")
		if t := d.u8(); d.err == nil && t != typ {
			return fmt.Errorf("%s: node type %d, want %d", what, t, typ)
		}
		level := int(d.u8())
		if d.err == nil && wantLevel >= 0 && level != wantLevel {
			return fmt.Errorf("%s: level %d, want %d", what, level, wantLevel)
		}
		n := int(d.u16())
		d.addr() // left sibling
		d.addr() // right sibling
		if d.err != nil {
			return d.err
		}
		if n*(keySize+f.offSize)+keySize > len(b) {
			return fmt.Errorf("%s: %d entries run past the end of the file", what, n)
		}
		for i := 0; i < n; i++ {
			key := d.bytes(keySize)
			child := d.addr()
			if d.err != nil {
				return d.err
			}
			if level > 0 {
				err = walk(child, depth+1, level-1)
			} else {
				err = visit(key, child)
			}
			if err != nil {
				return err
			}
		}
		// The last key bounds the last child; it must be there too.
		d.bytes(keySize)
		return d.err
	}
	return walk(addr, 0, -1)
}
