package rewrite

import (
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// TestVisitReachesEveryField builds, for every message type of the parse
// tree and every message-valued field of it (plain, repeated, each case of a
// oneof — so every node type a pg.Node can hold), a message with only that
// field set, and checks that visit reaches the child. A field the visitor
// missed would let a subquery go unfiltered or a constant go unseen.
func TestVisitReachesEveryField(t *testing.T) {
	checked := 0
	var each func(protoreflect.MessageDescriptors)
	each = func(msgs protoreflect.MessageDescriptors) {
		for i := 0; i < msgs.Len(); i++ {
			md := msgs.Get(i)
			if md.IsMapEntry() {
				continue
			}
			mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
			if err != nil {
				t.Fatal(err)
			}
			fields := md.Fields()
			for j := 0; j < fields.Len(); j++ {
				fd := fields.Get(j)
				if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
					continue
				}
				parent, child := withField(mt, fd)
				if !reaches(parent, child) {
					t.Errorf("visit does not reach %s.%s (%s)", md.FullName(), fd.Name(), fd.Message().FullName())
				}
				checked++
			}
			each(md.Messages())
		}
	}
	each(pg.File_pg_query_proto.Messages())
	if checked < 500 {
		t.Fatalf("only %d fields checked: the walk over the descriptors is broken", checked)
	}
}

// withField returns a new message of type mt with only fd set, and the child
// message fd holds (for a list, its one element).
func withField(mt protoreflect.MessageType, fd protoreflect.FieldDescriptor) (parent, child any) {
	m := mt.New()
	if fd.IsList() {
		l := m.Mutable(fd).List()
		el := l.NewElement()
		l.Append(el)
		return m.Interface(), el.Message().Interface()
	}
	v := m.NewField(fd)
	m.Set(fd, v)
	return m.Interface(), v.Message().Interface()
}

// reaches reports whether visit from root calls f with target.
func reaches(root, target any) bool {
	found := false
	visit(root, func(m any) bool {
		if m == target {
			found = true
		}
		return !found
	})
	return found
}

// A pruned subtree is not entered: f's false is honoured at every depth.
func TestVisitPrunes(t *testing.T) {
	tree, err := pg.Parse("SELECT (SELECT 1 FROM t WHERE a = 2) FROM u WHERE b IN (SELECT 3)")
	if err != nil {
		t.Fatal(err)
	}
	var consts, selects int
	visit(tree, func(m any) bool {
		switch m.(type) {
		case *pg.SelectStmt:
			selects++
			return selects == 1 // enter only the outer SELECT
		case *pg.A_Const:
			consts++
		}
		return true
	})
	if selects != 3 || consts != 0 {
		t.Errorf("selects %d, consts %d: want the 2 subqueries seen but not entered, no constant reached", selects, consts)
	}
}
