package rspamd

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestReplyTypesUnchanged fails when a type of the /checkv2 reply gains,
// loses or renames a field, or marshals itself: appendReply (replyjson.go)
// writes them by hand and must follow. (TestAppendReplyMatchesEncoder
// only sees the fields BuildReply fills.)
func TestReplyTypesUnchanged(t *testing.T) {
	want := map[reflect.Type]string{
		reflect.TypeFor[Reply](): `IsSkipped:bool:json:"is_skipped" Score:float64:json:"score" RequiredScore:float64:json:"required_score" Action:string:json:"action" ` +
			`Symbols:map[string]rspamd.Symbol:json:"symbols" Messages:map[string]string:json:"messages" MessageID:string:json:"message-id,omitempty" ` +
			`TimeReal:float64:json:"time_real" Milter:*rspamd.Milter:json:"milter,omitempty" Subject:string:json:"subject,omitempty" ` +
			`ScanID:string:json:"sekisho_id" Category:string:json:"sekisho_category" Explanation:string:json:"sekisho_explanation,omitempty" ` +
			`ExplanationJA:string:json:"sekisho_explanation_ja,omitempty" QuarantineID:string:json:"sekisho_quarantine_id,omitempty"`,
		reflect.TypeFor[Symbol](): `Name:string:json:"name" Score:float64:json:"score" MetricScore:float64:json:"metric_score" ` +
			`Description:string:json:"description,omitempty" Options:[]string:json:"options,omitempty"`,
		reflect.TypeFor[Milter]():   `AddHeaders:map[string]interface {}:json:"add_headers,omitempty" RemoveHeaders:map[string]int:json:"remove_headers,omitempty"`,
		reflect.TypeFor[hdrValue](): `Value:string:json:"value" Order:int:json:"order"`,
	}
	marshaler := reflect.TypeFor[json.Marshaler]()
	for rt, w := range want {
		var parts []string
		for i := range rt.NumField() {
			f := rt.Field(i)
			parts = append(parts, fmt.Sprintf("%s:%s:%s", f.Name, f.Type, f.Tag))
		}
		if got := strings.Join(parts, " "); got != w {
			t.Errorf("%s changed: update replyjson.go and this test\n got  %s\n want %s", rt, got, w)
		}
		if rt.Implements(marshaler) || reflect.PointerTo(rt).Implements(marshaler) {
			t.Errorf("%s marshals itself: replyjson.go must follow", rt)
		}
	}
}
