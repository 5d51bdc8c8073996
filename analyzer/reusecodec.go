package analyzer

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unsafe"
)

// The reuse codec serialises plain Go values (the facts, the records of
// reuse.go) exactly and canonically, by reflection over their exported
// fields: what encoding/json would lose (fields tagged `json:"-"` for the
// models printer, nil against empty) survives, and equal values make equal
// bytes (map entries are sorted), so the bytes can be hashed into digests.
// A value it cannot carry (an interface, a func, a channel) is an error,
// not a silent loss; unexported fields are not carried, and
// TestFactsSurviveSerialisation fails when facts hold any that matter.

var errCodec = errors.New("reuse codec: malformed data")

// encodeValue encodes the value ptr points to; decodeValue(data, ptr)
// reads it back.
func encodeValue(ptr any) ([]byte, error) {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil, errors.New("reuse codec: encode needs a non-nil pointer")
	}
	return appendValue(nil, v.Elem(), 0)
}

var (
	binaryMarshaler   = reflect.TypeFor[encoding.BinaryMarshaler]()
	binaryUnmarshaler = reflect.TypeFor[encoding.BinaryUnmarshaler]()
)

// ptr must point at a zero value (decoders leave absent fields as they
// find them). The strings and byte slices decodeValue makes alias data, not copies of
// it (a third of decoding an edit run's records was copying): data must
// not change while they live. The reuse cache's entries never do (a pack
// is mapped read-only or read once; a record made in memory is never
// written again).
func decodeValue(data []byte, ptr any) error {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return errors.New("reuse codec: decode needs a non-nil pointer")
	}
	d := &codecReader{data: data}
	d.value(decoderOf(v.Type().Elem()), v.UnsafePointer(), 0)
	if d.err == nil && len(d.data) != 0 {
		d.err = errCodec
	}
	return d.err
}

func appendValue(b []byte, v reflect.Value, depth int) ([]byte, error) {
	var err error
	if depth > maxCodecDepth {
		return nil, errors.New("reuse codec: value nested too deep (a cycle?)")
	}
	if v.Kind() == reflect.Pointer && !v.IsNil() && marshals(v.Type()) {
		// A value with its own encoding (unexported state, as pyast.Imports).
		data, err := v.Interface().(encoding.BinaryMarshaler).MarshalBinary()
		if err != nil {
			return nil, err
		}
		b = binary.AppendUvarint(append(b, 1), uint64(len(data)))
		return append(b, data...), nil
	}
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendVarint(b, v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return binary.AppendUvarint(b, v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return binary.BigEndian.AppendUint64(b, math.Float64bits(v.Float())), nil
	case reflect.String:
		b = binary.AppendUvarint(b, uint64(v.Len()))
		return append(b, v.String()...), nil
	case reflect.Slice:
		if v.IsNil() {
			return append(b, 0), nil
		}
		b = binary.AppendUvarint(b, uint64(v.Len())+1)
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return append(b, v.Bytes()...), nil
		}
		fallthrough
	case reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			// A hash or another byte array: its bytes as they are (a
			// varint each took up to two bytes and a call to decode).
			for i := 0; i < v.Len(); i++ {
				b = append(b, byte(v.Index(i).Uint()))
			}
			return b, nil
		}
		for i := 0; i < v.Len(); i++ {
			if b, err = appendValue(b, v.Index(i), depth+1); err != nil {
				return nil, err
			}
		}
		return b, nil
	case reflect.Map:
		if v.IsNil() {
			return append(b, 0), nil
		}
		type entry struct{ k, v []byte }
		entries := make([]entry, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			k, err := appendValue(nil, it.Key(), depth+1)
			if err != nil {
				return nil, err
			}
			val, err := appendValue(nil, it.Value(), depth+1)
			if err != nil {
				return nil, err
			}
			entries = append(entries, entry{k, val})
		}
		sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].k, entries[j].k) < 0 })
		b = binary.AppendUvarint(b, uint64(len(entries))+1)
		for _, e := range entries {
			b = append(append(b, e.k...), e.v...)
		}
		return b, nil
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0), nil
		}
		return appendValue(append(b, 1), v.Elem(), depth+1)
	case reflect.Struct:
		for _, i := range exportedFields(v.Type()) {
			if b, err = appendValue(b, v.Field(i), depth+1); err != nil {
				return nil, err
			}
		}
		return b, nil
	}
	return nil, fmt.Errorf("reuse codec: cannot carry a %s", v.Type())
}

// typeFacts is what the codec asks of a type, found once per type (asking
// reflect for a struct's fields at every value was a third of decoding).
type typeFacts struct {
	exported []int // indexes of a struct's exported fields
	marshals bool  // a pointer type with MarshalBinary and UnmarshalBinary
}

var typeFactsCache sync.Map // reflect.Type -> *typeFacts

func factsOfType(t reflect.Type) *typeFacts {
	if f, ok := typeFactsCache.Load(t); ok {
		return f.(*typeFacts)
	}
	f := &typeFacts{marshals: t.Implements(binaryMarshaler) && t.Implements(binaryUnmarshaler)}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				f.exported = append(f.exported, i)
			}
		}
	}
	typeFactsCache.Store(t, f)
	return f
}

func exportedFields(t reflect.Type) []int { return factsOfType(t).exported }

func marshals(t reflect.Type) bool { return factsOfType(t).marshals }

type codecReader struct {
	data []byte
	err  error
}

func (d *codecReader) fail() {
	if d.err == nil {
		d.err = errCodec
	}
	d.data = nil
}

func (d *codecReader) uvarint() uint64 {
	x, k := binary.Uvarint(d.data)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.data = d.data[k:]
	return x
}

// count reads a length written as n+1 (0: nil) and checks it against the
// bytes left (every element takes at least one byte).
func (d *codecReader) count() (int, bool) {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return 0, false
	}
	if n-1 > uint64(len(d.data)) {
		d.fail()
		return 0, false
	}
	return int(n - 1), true
}

// maxDepth bounds nesting, so that corrupt data cannot recurse without end.
const maxCodecDepth = 200

// A decoder reads one value of its type into the zero value at p. Decoders
// are made once per type (decoderOf) and write fields in place through
// their offsets: walking every value by reflection (a Kind switch, a
// reflect.Value per field) was most of an edit run's decoding.
type decoder func(d *codecReader, p unsafe.Pointer, depth int)

// decoderCell lets a recursive type's decoder call itself: the cell is
// filled once the decoder is made.
type decoderCell struct{ dec decoder }

var (
	decodersMu sync.Mutex
	decoders   sync.Map // reflect.Type -> *decoderCell
)

func decoderOf(t reflect.Type) decoder {
	if c, ok := decoders.Load(t); ok {
		return c.(*decoderCell).dec
	}
	decodersMu.Lock()
	defer decodersMu.Unlock()
	return cellOf(t, map[reflect.Type]*decoderCell{}).call
}

func (c *decoderCell) call(d *codecReader, p unsafe.Pointer, depth int) { c.dec(d, p, depth) }

// cellOf makes t's decoder (decodersMu held); making lists the cells of
// the types being made, which a recursive type reaches again.
func cellOf(t reflect.Type, making map[reflect.Type]*decoderCell) *decoderCell {
	if c, ok := decoders.Load(t); ok {
		return c.(*decoderCell)
	}
	if c, ok := making[t]; ok {
		return c
	}
	c := &decoderCell{}
	making[t] = c
	c.dec = makeDecoder(t, making)
	delete(making, t)
	decoders.Store(t, c)
	return c
}

// sliceHeader is the layout of a slice value.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

func makeDecoder(t reflect.Type, making map[reflect.Type]*decoderCell) decoder {
	switch t.Kind() {
	case reflect.Bool:
		return func(d *codecReader, p unsafe.Pointer, _ int) {
			if len(d.data) == 0 || d.data[0] > 1 {
				d.fail()
				return
			}
			*(*bool)(p) = d.data[0] == 1
			d.data = d.data[1:]
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		shift := 64 - uint(t.Bits())
		size := t.Size()
		return func(d *codecReader, p unsafe.Pointer, _ int) {
			x, k := binary.Varint(d.data)
			if k <= 0 || x<<shift>>shift != x {
				d.fail()
				return
			}
			d.data = d.data[k:]
			switch size {
			case 1:
				*(*int8)(p) = int8(x)
			case 2:
				*(*int16)(p) = int16(x)
			case 4:
				*(*int32)(p) = int32(x)
			default:
				*(*int64)(p) = x
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		bits := uint(t.Bits())
		size := t.Size()
		return func(d *codecReader, p unsafe.Pointer, _ int) {
			x := d.uvarint()
			if d.err != nil || bits < 64 && x>>bits != 0 {
				d.fail()
				return
			}
			switch size {
			case 1:
				*(*uint8)(p) = uint8(x)
			case 2:
				*(*uint16)(p) = uint16(x)
			case 4:
				*(*uint32)(p) = uint32(x)
			default:
				*(*uint64)(p) = x
			}
		}
	case reflect.Float32, reflect.Float64:
		single := t.Kind() == reflect.Float32
		return func(d *codecReader, p unsafe.Pointer, _ int) {
			if len(d.data) < 8 {
				d.fail()
				return
			}
			f := math.Float64frombits(binary.BigEndian.Uint64(d.data))
			d.data = d.data[8:]
			if single {
				*(*float32)(p) = float32(f)
			} else {
				*(*float64)(p) = f
			}
		}
	case reflect.String:
		return func(d *codecReader, p unsafe.Pointer, _ int) {
			n := d.uvarint()
			if d.err != nil || n > uint64(len(d.data)) {
				d.fail()
				return
			}
			if n > 0 {
				*(*string)(p) = unsafe.String(&d.data[0], n)
			}
			d.data = d.data[n:]
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return func(d *codecReader, p unsafe.Pointer, _ int) {
				n := d.uvarint()
				if n == 0 || d.err != nil {
					return
				}
				if n-1 > uint64(len(d.data)) {
					d.fail()
					return
				}
				*(*[]byte)(p) = d.data[: n-1 : n-1]
				d.data = d.data[n-1:]
			}
		}
		elem, size := cellOf(t.Elem(), making), t.Elem().Size()
		return func(d *codecReader, p unsafe.Pointer, depth int) {
			n, ok := d.count()
			if !ok {
				return
			}
			base := reflect.MakeSlice(t, n, n).UnsafePointer()
			for i := 0; i < n && d.err == nil; i++ {
				d.value(elem.dec, unsafe.Add(base, uintptr(i)*size), depth+1)
			}
			*(*sliceHeader)(p) = sliceHeader{base, n, n}
		}
	case reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			n := t.Len()
			return func(d *codecReader, p unsafe.Pointer, depth int) {
				if len(d.data) < n {
					d.fail()
					return
				}
				copy(unsafe.Slice((*byte)(p), n), d.data[:n])
				d.data = d.data[n:]
			}
		}
		elem, size, n := cellOf(t.Elem(), making), t.Elem().Size(), t.Len()
		return func(d *codecReader, p unsafe.Pointer, depth int) {
			for i := 0; i < n; i++ {
				d.value(elem.dec, unsafe.Add(p, uintptr(i)*size), depth+1)
			}
		}
	case reflect.Map:
		key, elem := cellOf(t.Key(), making), cellOf(t.Elem(), making)
		return func(d *codecReader, p unsafe.Pointer, depth int) {
			n, ok := d.count()
			if !ok {
				return
			}
			m := reflect.MakeMapWithSize(t, n)
			k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			for i := 0; i < n && d.err == nil; i++ {
				k.SetZero()
				e.SetZero()
				d.value(key.dec, k.Addr().UnsafePointer(), depth+1)
				d.value(elem.dec, e.Addr().UnsafePointer(), depth+1)
				m.SetMapIndex(k, e)
			}
			reflect.NewAt(t, p).Elem().Set(m)
		}
	case reflect.Pointer:
		if marshals(t) {
			return func(d *codecReader, p unsafe.Pointer, _ int) {
				if !d.present() {
					return
				}
				n := d.uvarint()
				if d.err != nil || n > uint64(len(d.data)) {
					d.fail()
					return
				}
				v := reflect.New(t.Elem())
				var err error
				if a, ok := v.Interface().(aliasingUnmarshaler); ok {
					err = a.UnmarshalBinaryAliasing(d.data[:n])
				} else {
					err = v.Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(d.data[:n])
				}
				if err != nil {
					d.fail()
					return
				}
				d.data = d.data[n:]
				*(*unsafe.Pointer)(p) = v.UnsafePointer()
			}
		}
		elem := cellOf(t.Elem(), making)
		return func(d *codecReader, p unsafe.Pointer, depth int) {
			if !d.present() {
				return
			}
			v := reflect.New(t.Elem()).UnsafePointer()
			d.value(elem.dec, v, depth+1)
			*(*unsafe.Pointer)(p) = v
		}
	case reflect.Struct:
		type field struct {
			off uintptr
			dec *decoderCell
		}
		var fields []field
		for _, i := range exportedFields(t) {
			f := t.Field(i)
			fields = append(fields, field{f.Offset, cellOf(f.Type, making)})
		}
		return func(d *codecReader, p unsafe.Pointer, depth int) {
			for _, f := range fields {
				d.value(f.dec.dec, unsafe.Add(p, f.off), depth+1)
			}
		}
	}
	return func(d *codecReader, _ unsafe.Pointer, _ int) {
		if d.err == nil {
			d.err = fmt.Errorf("reuse codec: cannot carry a %s", t)
		}
		d.data = nil
	}
}

// aliasingUnmarshaler is implemented by a type whose decoded form may
// alias the bytes it is decoded from (pyast.Imports), as the codec's own
// strings do.
type aliasingUnmarshaler interface {
	UnmarshalBinaryAliasing(data []byte) error
}

// present reads a pointer's mark: 1 for a value that follows, 0 for nil.
func (d *codecReader) present() bool {
	if len(d.data) == 0 || d.data[0] > 1 {
		d.fail()
		return false
	}
	nonNil := d.data[0] == 1
	d.data = d.data[1:]
	return nonNil
}

// value runs dec at p unless decoding already failed or went too deep.
func (d *codecReader) value(dec decoder, p unsafe.Pointer, depth int) {
	if d.err != nil {
		return
	}
	if depth > maxCodecDepth {
		d.fail()
		return
	}
	dec(d, p, depth)
}

// typeShape describes a type as the codec sees it (kinds, exported field
// names and types, recursively): records of another shape are never read.
func typeShape(t reflect.Type) string {
	var b strings.Builder
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		fmt.Fprintf(&b, "%s:%s", t.Kind(), t.String())
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			b.WriteByte('<')
			walk(t.Elem())
			b.WriteByte('>')
		case reflect.Map:
			b.WriteByte('<')
			walk(t.Key())
			b.WriteByte(',')
			walk(t.Elem())
			b.WriteByte('>')
		case reflect.Struct:
			b.WriteByte('{')
			for i := 0; i < t.NumField(); i++ {
				if f := t.Field(i); f.IsExported() {
					b.WriteString(f.Name)
					b.WriteByte(' ')
					walk(f.Type)
					b.WriteByte(';')
				}
			}
			b.WriteByte('}')
		}
	}
	walk(t)
	return b.String()
}
