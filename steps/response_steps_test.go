package steps

import (
	"reflect"
	"sort"
	"testing"
)

func TestExtraFieldsChecksNestedObjects(t *testing.T) {
	tests := []struct {
		name    string
		body    any
		allowed []string
		want    []string
	}{
		{"flat ok", map[string]any{"id": "1", "email": "x"}, []string{"id", "email"}, nil},
		{"flat extra", map[string]any{"id": "1", "password_hash": "h"}, []string{"id"}, []string{"password_hash"}},
		{"nested field not listed", map[string]any{"user": map[string]any{"email": "x", "password_hash": "h"}}, []string{"user", "user.email"}, []string{"user.password_hash"}},
		{"nested object needs its fields", map[string]any{"user": map[string]any{"email": "x"}}, []string{"user"}, []string{"user.email"}},
		{"nested wildcard", map[string]any{"user": map[string]any{"email": "x", "id": "y"}}, []string{"user.*"}, nil},
		{"array of objects", []any{map[string]any{"id": "1"}, map[string]any{"id": "2", "notes": "n"}}, []string{"id"}, []string{"notes"}},
		{"array field of objects", map[string]any{"orders": []any{map[string]any{"id": "1", "email": "b"}}}, []string{"orders", "orders.id"}, []string{"orders.email"}},
		{"array of scalars", map[string]any{"tags": []any{"a", "b"}}, []string{"tags"}, nil},
	}
	for _, tt := range tests {
		allowed := map[string]bool{}
		for _, a := range tt.allowed {
			allowed[a] = true
		}
		extra := map[string]bool{}
		extraFields(tt.body, "", allowed, extra)
		var got []string
		for k := range extra {
			got = append(got, k)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: extra %v, want %v", tt.name, got, tt.want)
		}
	}
}
