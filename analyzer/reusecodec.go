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

// The strings and byte slices decodeValue makes alias data, not copies of
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
	d.value(v.Elem(), 0)
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

func (d *codecReader) value(v reflect.Value, depth int) {
	if d.err != nil {
		return
	}
	if depth > maxCodecDepth {
		d.fail()
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		if len(d.data) == 0 || d.data[0] > 1 {
			d.fail()
			return
		}
		v.SetBool(d.data[0] == 1)
		d.data = d.data[1:]
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, k := binary.Varint(d.data)
		if k <= 0 || v.OverflowInt(x) {
			d.fail()
			return
		}
		d.data = d.data[k:]
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		x := d.uvarint()
		if d.err == nil && v.OverflowUint(x) {
			d.fail()
			return
		}
		v.SetUint(x)
	case reflect.Float32, reflect.Float64:
		if len(d.data) < 8 {
			d.fail()
			return
		}
		v.SetFloat(math.Float64frombits(binary.BigEndian.Uint64(d.data)))
		d.data = d.data[8:]
	case reflect.String:
		n := d.uvarint()
		if d.err != nil || n > uint64(len(d.data)) {
			d.fail()
			return
		}
		if n > 0 {
			v.SetString(unsafe.String(&d.data[0], n))
		}
		d.data = d.data[n:]
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			n := d.uvarint()
			if n == 0 || d.err != nil {
				return
			}
			if n-1 > uint64(len(d.data)) {
				d.fail()
				return
			}
			v.SetBytes(d.data[: n-1 : n-1])
			d.data = d.data[n-1:]
			return
		}
		n, ok := d.count()
		if !ok {
			return
		}
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := 0; i < n; i++ {
			d.value(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			d.value(v.Index(i), depth+1)
		}
	case reflect.Map:
		n, ok := d.count()
		if !ok {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), n)
		for i := 0; i < n && d.err == nil; i++ {
			k := reflect.New(v.Type().Key()).Elem()
			d.value(k, depth+1)
			e := reflect.New(v.Type().Elem()).Elem()
			d.value(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		if len(d.data) == 0 || d.data[0] > 1 {
			d.fail()
			return
		}
		nonNil := d.data[0] == 1
		d.data = d.data[1:]
		if nonNil && marshals(v.Type()) {
			n := d.uvarint()
			if d.err != nil || n > uint64(len(d.data)) {
				d.fail()
				return
			}
			p := reflect.New(v.Type().Elem())
			if err := p.Interface().(encoding.BinaryUnmarshaler).UnmarshalBinary(d.data[:n]); err != nil {
				d.fail()
				return
			}
			d.data = d.data[n:]
			v.Set(p)
			return
		}
		if nonNil {
			p := reflect.New(v.Type().Elem())
			d.value(p.Elem(), depth+1)
			v.Set(p)
		}
	case reflect.Struct:
		for _, i := range exportedFields(v.Type()) {
			d.value(v.Field(i), depth+1)
		}
	default:
		d.err = fmt.Errorf("reuse codec: cannot carry a %s", v.Type())
	}
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
