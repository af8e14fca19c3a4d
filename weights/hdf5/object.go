package hdf5

import (
	"fmt"
)

// Header message types used here.
const (
	msgDataspace    = 0x01
	msgLinkInfo     = 0x02
	msgDatatype     = 0x03
	msgLink         = 0x06
	msgLayout       = 0x08
	msgFilters      = 0x0B
	msgAttribute    = 0x0C
	msgContinuation = 0x10
	msgSymbolTable  = 0x11
	msgAttrInfo     = 0x15
)

// flagShared marks a message whose body lives elsewhere (a committed
// datatype, a shared message table), which this reader does not follow.
const flagShared = 0x02

// A message is one object header message.
type message struct {
	typ   uint16
	flags uint8
	data  []byte
}

// An Object is a group or a dataset: its header messages, decoded lazily.
type Object struct {
	f      *File
	addr   uint64
	msgs   []message
	links  []Link // the group's links, once read
	blocks int    // header blocks read, continuations included
	// v2flags are a version 2 header's flags (0 for version 1).
	v2flags uint8
}

// object returns the object whose header is at addr.
func (f *File) object(addr uint64) (*Object, error) {
	if o, ok := f.objects[addr]; ok {
		return o, nil
	}
	o := &Object{f: f, addr: addr}
	var err error
	if f.hasSignature(addr, "OHDR") {
		err = o.readV2()
	} else {
		err = o.readV1()
	}
	if err != nil {
		return nil, err
	}
	f.objects[addr] = o
	return o, nil
}

// A block is a range of the file holding header messages.
type block struct{ addr, size uint64 }

func (o *Object) what() string { return fmt.Sprintf("object header at %d", o.addr) }

func (o *Object) readV1() error {
	f := o.f
	hdr, err := f.at(o.addr, 16, o.what())
	if err != nil {
		return err
	}
	d := f.decoder(hdr, o.what())
	if v := d.u8(); v != 1 {
		return fmt.Errorf("%s: version %d is not an object header version (1, or 2 with signature OHDR)", o.what(), v)
	}
	d.skip(1 + 2 + 4) // reserved, message count, reference count
	size := uint64(d.u32())
	queue := []block{{o.addr + 16, size}}
	return o.readBlocks(queue, 1)
}

func (o *Object) readV2() error {
	f := o.f
	b, err := f.from(o.addr, o.what())
	if err != nil {
		return err
	}
	d := f.decoder(b, o.what())
	d.signature("OHDR")
	if v := d.u8(); d.err == nil && v != 2 {
		return fmt.Errorf("%s: version %d, want 2", o.what(), v)
	}
	flags := d.u8()
	if flags&0x20 != 0 {
		d.skip(16) // access, modification, change, birth times
	}
	if flags&0x10 != 0 {
		d.skip(4) // attribute phase change values
	}
	size := d.uint(1 << (flags & 3))
	if d.err != nil {
		return d.err
	}
	start := uint64(d.off)
	// The first chunk runs from the signature to its checksum.
	if size > uint64(len(b))-start || uint64(len(b))-start-size < 4 {
		return fmt.Errorf("%s: chunk of %d bytes runs past the end of the file", o.what(), size)
	}
	if err := checksum(b[:start+size+4], o.what()); err != nil {
		return err
	}
	o.v2flags = flags
	return o.readBlocks([]block{{o.addr + start, size}}, 2)
}

// checksum verifies the lookup3 checksum in the last 4 bytes of b.
func checksum(b []byte, what string) error {
	n := len(b) - 4
	want := uint32(b[n]) | uint32(b[n+1])<<8 | uint32(b[n+2])<<16 | uint32(b[n+3])<<24
	if lookup3(b[:n]) != want {
		return fmt.Errorf("%s: checksum mismatch", what)
	}
	return nil
}

// readBlocks decodes the messages of the header's blocks, following
// continuation messages (each block at most once).
func (o *Object) readBlocks(queue []block, version int) error {
	f := o.f
	seen := map[uint64]bool{}
	for n := 0; len(queue) > 0; n++ {
		o.blocks++
		blk := queue[0]
		queue = queue[1:]
		if n > maxChunks {
			return fmt.Errorf("%s: more than %d continuation blocks", o.what(), maxChunks)
		}
		if seen[blk.addr] {
			return fmt.Errorf("%s: continuation block at %d is listed twice", o.what(), blk.addr)
		}
		seen[blk.addr] = true
		b, err := f.at(blk.addr, blk.size, o.what())
		if err != nil {
			return err
		}
		if version == 2 && n > 0 {
			// A continuation block: "OCHK", messages, checksum.
			if len(b) < 8 || string(b[:4]) != "OCHK" {
				return fmt.Errorf("%s: continuation block at %d has no OCHK signature", o.what(), blk.addr)
			}
			if err := checksum(b, o.what()); err != nil {
				return err
			}
			b = b[4 : len(b)-4]
		}
		d := f.decoder(b, o.what())
		for {
			var typ uint16
			var size int
			var flags uint8
			if version == 1 {
				if len(b)-d.off < 8 {
					break
				}
				typ, size, flags = d.u16(), int(d.u16()), d.u8()
				d.skip(3)
			} else {
				hsize := 4
				if o.v2flags&0x04 != 0 {
					hsize = 6
				}
				if len(b)-d.off < hsize {
					break // a gap
				}
				typ, size, flags = uint16(d.u8()), int(d.u16()), d.u8()
				if o.v2flags&0x04 != 0 {
					d.skip(2) // creation order
				}
			}
			data := d.bytes(size)
			if d.err != nil {
				return d.err
			}
			if len(o.msgs) >= maxMessages {
				return fmt.Errorf("%s: more than %d messages", o.what(), maxMessages)
			}
			if typ == msgContinuation {
				c := f.decoder(data, o.what()+": continuation message")
				addr, length := c.addr(), c.length()
				if c.err != nil {
					return c.err
				}
				queue = append(queue, block{addr, length})
				continue
			}
			o.msgs = append(o.msgs, message{typ, flags, data})
		}
	}
	return nil
}

// messages returns the messages of a type, refusing shared ones.
func (o *Object) messages(typ uint16) ([]message, error) {
	var ms []message
	for _, m := range o.msgs {
		if m.typ != typ {
			continue
		}
		if m.flags&flagShared != 0 {
			return nil, fmt.Errorf("%s: shared message of type %#x is not supported", o.what(), typ)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// message returns the one message of a type, or nil.
func (o *Object) message(typ uint16) (*message, error) {
	ms, err := o.messages(typ)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	if len(ms) > 1 {
		return nil, fmt.Errorf("%s: %d messages of type %#x, want one", o.what(), len(ms), typ)
	}
	return &ms[0], nil
}
