package compiler

import "math"

// Checked int64 arithmetic: the language's ints are 64-bit and an
// operation whose result does not fit is an error, never a wrapped value.
// Each returns ok=false on overflow.

func addInt(a, b int64) (int64, bool) {
	c := a + b
	return c, (a^c)&(b^c) >= 0
}

func subInt(a, b int64) (int64, bool) {
	c := a - b
	return c, (a^b)&(a^c) >= 0
}

func mulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if a == -1 && b == math.MinInt64 || b == -1 && a == math.MinInt64 || c/b != a {
		return c, false
	}
	return c, true
}

// floorDivInt is a // b and a % b rounding toward negative infinity; b != 0.
// ok is false when the quotient overflows (the remainder is then 0).
func floorDivInt(a, b int64) (q, r int64, ok bool) {
	if a == math.MinInt64 && b == -1 {
		return 0, 0, false
	}
	q = a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q, a - q*b, true
}

// floatToInt converts an integral float to an int, failing when it is
// out of the int range or not a number.
func floatToInt(f float64) (int64, bool) {
	// 2^63 is exactly representable; every float below it converts.
	if !(f >= -(1<<63) && f < 1<<63) {
		return 0, false
	}
	return int64(f), true
}
