package imageprep

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
)

// RGB is an 8-bit RGB image: Pix holds W×H pixels row by row, three bytes
// (R, G, B) each.
type RGB struct {
	W, H int
	Pix  []uint8
}

func newRGB(w, h int) *RGB { return &RGB{W: w, H: h, Pix: make([]uint8, 3*w*h)} }

// maxPixels bounds the images Decode accepts, as PIL's decompression-bomb
// check does (twice Image.MAX_IMAGE_PIXELS).
const maxPixels = 2 * 89478485

var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xff, 0xd8, 0xff}
)

// Decode reads a PNG or JPEG file as 8-bit RGB. The format is told by the
// file's contents; errors name the file.
func Decode(path string) (*RGB, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("imageprep: %w", err) // *PathError names the file
	}
	var format string
	var decode func([]byte) (image.Image, error)
	var config func([]byte) (image.Config, error)
	switch {
	case bytes.HasPrefix(data, pngMagic):
		format = "PNG"
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	case bytes.HasPrefix(data, jpegMagic):
		format = "JPEG"
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	default:
		what := "an unsupported image format"
		if len(data) == 0 {
			what = "an empty file"
		} else if f := sniff(data); f != "" {
			what = f + ", an unsupported image format"
		}
		return nil, fmt.Errorf("imageprep: %s: %s; images must be PNG or JPEG", path, what)
	}
	cfg, err := config(data)
	if err != nil {
		return nil, fmt.Errorf("imageprep: %s: decoding %s: %w", path, format, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return nil, fmt.Errorf("imageprep: %s: empty %dx%d image", path, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, fmt.Errorf("imageprep: %s: %dx%d image is larger than %d pixels", path, cfg.Width, cfg.Height, maxPixels)
	}
	img, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("imageprep: %s: decoding %s: %w", path, format, err)
	}
	return FromImage(img), nil
}

// sniff names a few common image formats that Decode does not read.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "GIF"
	case bytes.HasPrefix(b, []byte("BM")):
		return "BMP"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "WebP"
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "TIFF"
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return "HEIF/AVIF"
	}
	return ""
}

// FromImage converts any image to 8-bit RGB as PIL's convert("RGB") does:
// gray is replicated, alpha dropped (keeping the straight colour), 16-bit
// samples reduced to their high byte, palettes looked up, CMYK converted.
func FromImage(img image.Image) *RGB {
	b := img.Bounds()
	out := newRGB(b.Dx(), b.Dy())
	i := 0
	put := func(r, g, bl uint8) {
		out.Pix[i], out.Pix[i+1], out.Pix[i+2] = r, g, bl
		i += 3
	}
	switch m := img.(type) {
	case *image.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				v := m.GrayAt(x, y).Y
				put(v, v, v)
			}
		}
	case *image.Gray16:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				v := uint8(m.Gray16At(x, y).Y >> 8)
				put(v, v, v)
			}
		}
	case *image.NRGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.NRGBAAt(x, y)
				put(c.R, c.G, c.B)
			}
		}
	case *image.NRGBA64:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.NRGBA64At(x, y)
				put(uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8))
			}
		}
	case *image.RGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.RGBAAt(x, y)
				if c.A != 0xff {
					n := color.NRGBAModel.Convert(c).(color.NRGBA)
					put(n.R, n.G, n.B)
					continue
				}
				put(c.R, c.G, c.B)
			}
		}
	case *image.RGBA64:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.RGBA64At(x, y)
				if c.A != 0xffff {
					n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
					put(uint8(n.R>>8), uint8(n.G>>8), uint8(n.B>>8))
					continue
				}
				put(uint8(c.R>>8), uint8(c.G>>8), uint8(c.B>>8))
			}
		}
	case *image.Paletted:
		pal := make([][3]uint8, len(m.Palette))
		for j, c := range m.Palette {
			pal[j] = straight(c)
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				j := int(m.ColorIndexAt(x, y))
				if j < len(pal) {
					put(pal[j][0], pal[j][1], pal[j][2])
				} else {
					put(0, 0, 0) // an index past the palette, as image.Paletted.At reads it
				}
			}
		}
	case *image.YCbCr:
		if rgb, ok := ycbcrToRGB(m); ok {
			return rgb
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.YCbCrAt(x, y)
				put(color.YCbCrToRGB(c.Y, c.Cb, c.Cr))
			}
		}
	case *image.CMYK:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := m.CMYKAt(x, y)
				put(color.CMYKToRGB(c.C, c.M, c.Y, c.K))
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := straight(img.At(x, y))
				put(c[0], c[1], c[2])
			}
		}
	}
	return out
}

// straight is a colour's 8-bit straight (non-premultiplied) RGB.
func straight(c color.Color) [3]uint8 {
	switch c := c.(type) {
	case color.NRGBA:
		return [3]uint8{c.R, c.G, c.B}
	case color.NRGBA64:
		return [3]uint8{uint8(c.R >> 8), uint8(c.G >> 8), uint8(c.B >> 8)}
	case color.Gray:
		return [3]uint8{c.Y, c.Y, c.Y}
	case color.Gray16:
		v := uint8(c.Y >> 8)
		return [3]uint8{v, v, v}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [3]uint8{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)}
}
