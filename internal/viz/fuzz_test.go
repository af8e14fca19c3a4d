package viz

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/resc-dev/resc/internal/fold"
	"github.com/resc-dev/resc/ir"
)

// geometry matches the SVG attributes that hold coordinates and lengths
// (a box's name may well be "NaN": its text is not a coordinate).
var geometry = regexp.MustCompile(`\s(x|y|x1|y1|x2|y2|cx|cy|r|rx|ry|width|height|d|points|viewBox|transform|font-size)="([^"]*)"`)

// maxFuzzBoxes bounds the graphs FuzzDraw builds.
const maxFuzzBoxes = 80

// graphFromBytes builds a folded graph from fuzz data: per box a name
// byte run, flags, and up to three earlier boxes it reads.
func graphFromBytes(data []byte) *fold.Graph {
	fg := &fold.Graph{Name: "fuzz"}
	for len(data) >= 4 && len(fg.Boxes) < maxFuzzBoxes {
		n := int(data[0] % 8)
		flags := data[1]
		data = data[2:]
		name := string(data[:min(n, len(data))])
		data = data[min(n, len(data)):]
		b := &fold.Box{ID: len(fg.Boxes), Name: name, Kind: "Conv+BN", Folded: flags&1 != 0,
			Shape: ir.Shape{ir.Batch, int(flags)}, Params: int64(flags) * 1000}
		for k := 0; k < int(flags>>1)%4 && len(data) > 0 && b.ID > 0; k++ {
			from := fg.Boxes[int(data[0])%b.ID]
			b.Inputs = append(b.Inputs, fold.Edge{From: from, Shortcut: data[0]&0x80 != 0})
			data = data[1:]
		}
		fg.Boxes = append(fg.Boxes, b)
	}
	return fg
}

// FuzzDraw draws arbitrary DAGs, names of any bytes included: the SVG
// must be well-formed XML with every box and edge, and the DOT parse.
func FuzzDraw(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x01\x00a\x02\x04bc\x00\x03\x06\x00\x81\x00"))
	f.Add([]byte("\x07\x07<&\"'\xff]>\x00\x07\x00\x80\x01\x02\x06\x00\x00\x80"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1024 {
			return
		}
		fg := graphFromBytes(data)
		edges := 0
		for _, b := range fg.Boxes {
			edges += len(b.Inputs)
		}
		var s, d bytes.Buffer
		if err := WriteSVG(&s, fg, "fuzz"); err != nil {
			t.Fatal(err)
		}
		if c := parseSVG(t, s.Bytes()); c.boxes != len(fg.Boxes) || c.edges != edges {
			t.Fatalf("%d boxes and %d edges drawn, want %d and %d", c.boxes, c.edges, len(fg.Boxes), edges)
		}
		for _, m := range geometry.FindAllSubmatch(s.Bytes(), -1) {
			if bytes.Contains(m[2], []byte("NaN")) || bytes.Contains(m[2], []byte("Inf")) {
				t.Fatalf("a coordinate is not finite: %s=%q", m[1], m[2])
			}
		}
		if err := WriteDOT(&d, fg, "fuzz"); err != nil {
			t.Fatal(err)
		}
		checkDOT(t, d.String(), len(fg.Boxes))
	})
}
