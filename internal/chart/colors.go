package chart

import (
	"hash/fnv"
	"image/color"
)

// Each stdlib family has a colour of its own, fixed, so that a family
// looks the same in every chart whatever --models selects, and no two
// families share one. The first seven are Okabe and Ito's colour-blind-safe
// set (less the yellow, unreadable on white, plus a grey); past them, Paul
// Tol's muted scheme (also designed for colour-blind readers), picked so
// that no two colours here are closer than 60 in RGB (a test checks).
var familyColors = map[string]color.Color{
	"resnet":       color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	"cm":           color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	"keras":        color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	"senet":        color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	"timm":         color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
	"efficientnet": color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	"mobilenet":    color.RGBA{0x00, 0x00, 0x00, 0xFF}, // black
	"regnet":       color.RGBA{0x80, 0x80, 0x80, 0xFF}, // grey
	"res2net":      color.RGBA{0x33, 0x22, 0x88, 0xFF}, // Tol's indigo
	"resnest":      color.RGBA{0x88, 0x22, 0x55, 0xFF}, // Tol's wine
	"sknet":        color.RGBA{0x99, 0x99, 0x33, 0xFF}, // Tol's olive
	"convnext":     color.RGBA{0xAA, 0x44, 0x99, 0xFF}, // Tol's purple
}

// spareColors colour a module without a colour of its own (a family
// added to the stdlib but not yet here): picked by its name's hash, so
// that it too keeps its colour whatever else is charted. Two such modules
// may share one: give each new family its colour above.
var spareColors = []color.Color{
	color.RGBA{0x8C, 0x56, 0x4B, 0xFF}, // brown
	color.RGBA{0x44, 0xAA, 0x99, 0xFF}, // Tol's teal
	color.RGBA{0xDD, 0xCC, 0x77, 0xFF}, // Tol's sand
}

// familyColor is module's colour.
func familyColor(module string) color.Color {
	if c, ok := familyColors[module]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(module))
	return spareColors[h.Sum32()%uint32(len(spareColors))]
}
