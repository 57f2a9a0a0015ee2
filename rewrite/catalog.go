package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// catalogChange reports a statement that may create, drop, rename or move
// (SET SCHEMA) a relation or a schema, change partitions or inheritance, or
// change a key or foreign key (Stmt.CatalogChange): after it the proxy
// learns again which relations are named like managed tables and whether
// their guard is current (a key or foreign key changed since migrate ran
// makes it stale). It errs on the side of yes
// (CASCADE may drop views and tables of any dependent kind, an extension
// or a DO block may do anything); the statement itself is not changed.
func catalogChange(n *pg.Node) bool {
	switch v := n.GetNode().(type) {
	case *pg.Node_CreateStmt, *pg.Node_CreateForeignTableStmt, *pg.Node_CreateTableAsStmt,
		*pg.Node_ViewStmt, *pg.Node_CreateSchemaStmt, *pg.Node_RenameStmt,
		*pg.Node_AlterObjectSchemaStmt, *pg.Node_ImportForeignSchemaStmt, *pg.Node_DropOwnedStmt,
		*pg.Node_CreateExtensionStmt, *pg.Node_AlterExtensionStmt, *pg.Node_RuleStmt, *pg.Node_DoStmt:
		return true
	case *pg.Node_DropStmt:
		return dropsRelation(v.DropStmt)
	case *pg.Node_AlterTableStmt:
		return altersHierarchy(v.AlterTableStmt) || altersKeys(v.AlterTableStmt)
	case *pg.Node_IndexStmt:
		return v.IndexStmt.Unique
	case *pg.Node_SelectStmt: // SELECT … INTO creates a table
		return v.SelectStmt.GetIntoClause() != nil
	case *pg.Node_DiscardStmt: // DISCARD ALL and TEMP drop the temporary tables
		t := v.DiscardStmt.Target
		return t == pg.DiscardMode_DISCARD_ALL || t == pg.DiscardMode_DISCARD_TEMP
	case *pg.Node_ExplainStmt: // EXPLAIN ANALYZE runs its statement
		return catalogChange(v.ExplainStmt.Query)
	}
	return false
}

// dropsRelation reports a DROP of a relation (an index too: it may be a
// key), schema or extension, or any DROP … CASCADE.
func dropsRelation(d *pg.DropStmt) bool {
	switch d.RemoveType {
	case pg.ObjectType_OBJECT_INDEX, pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW,
		pg.ObjectType_OBJECT_FOREIGN_TABLE, pg.ObjectType_OBJECT_SCHEMA, pg.ObjectType_OBJECT_EXTENSION:
		return true
	}
	return d.Behavior == pg.DropBehavior_DROP_CASCADE
}

// altersHierarchy reports ATTACH/DETACH PARTITION and INHERIT/NO INHERIT.
func altersHierarchy(a *pg.AlterTableStmt) bool {
	for _, c := range a.Cmds {
		switch c.GetAlterTableCmd().GetSubtype() {
		case pg.AlterTableType_AT_AttachPartition, pg.AlterTableType_AT_DetachPartition,
			pg.AlterTableType_AT_DetachPartitionFinalize, pg.AlterTableType_AT_AddInherit,
			pg.AlterTableType_AT_DropInherit:
			return true
		}
	}
	return false
}

// altersKeys reports an ALTER TABLE that may add, drop or change a key or
// foreign key: constraints other than CHECK and NOT NULL, indexes made
// constraints, columns declared with one, column types (keys are rebuilt).
func altersKeys(a *pg.AlterTableStmt) bool {
	for _, c := range a.Cmds {
		cmd := c.GetAlterTableCmd()
		switch cmd.GetSubtype() {
		case pg.AlterTableType_AT_AddConstraint:
			if keyConstraint(cmd.GetDef().GetConstraint()) {
				return true
			}
		case pg.AlterTableType_AT_AddColumn:
			for _, n := range cmd.GetDef().GetColumnDef().GetConstraints() {
				if keyConstraint(n.GetConstraint()) {
					return true
				}
			}
		case pg.AlterTableType_AT_DropConstraint, pg.AlterTableType_AT_AlterConstraint, pg.AlterTableType_AT_AddIndex,
			pg.AlterTableType_AT_AddIndexConstraint, pg.AlterTableType_AT_AlterColumnType:
			return true
		}
	}
	return false
}

// keyConstraint reports a constraint that is a key or a foreign key.
func keyConstraint(c *pg.Constraint) bool {
	switch c.GetContype() {
	case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_EXCLUSION, pg.ConstrType_CONSTR_FOREIGN:
		return true
	}
	return false
}

// schemaStatement reports a statement that changes the schema and runs
// nothing (Stmt.Schema): one of the kinds below, without an expression
// other than a constant anywhere in it (a default, a check, an index
// expression or a USING clause may call functions).
func schemaStatement(n *pg.Node) bool {
	switch v := n.GetNode().(type) {
	case *pg.Node_CreateStmt, *pg.Node_IndexStmt, *pg.Node_DropStmt, *pg.Node_RenameStmt,
		*pg.Node_CommentStmt, *pg.Node_CreateSeqStmt, *pg.Node_AlterSeqStmt:
	case *pg.Node_AlterTableStmt:
		for _, c := range v.AlterTableStmt.Cmds {
			if c.GetAlterTableCmd().GetSubtype() == pg.AlterTableType_AT_AlterColumnType {
				return false
			}
		}
	default:
		return false
	}
	inert := true
	visit(n, func(m any) bool {
		switch m.(type) {
		case *pg.FuncCall, *pg.A_Expr, *pg.TypeCast, *pg.SubLink, *pg.BoolExpr, *pg.CaseExpr, *pg.CoalesceExpr,
			*pg.MinMaxExpr, *pg.NullTest, *pg.BooleanTest, *pg.RowExpr, *pg.A_ArrayExpr, *pg.A_Indirection,
			*pg.SQLValueFunction, *pg.XmlExpr, *pg.XmlSerialize, *pg.ColumnRef, *pg.ParamRef,
			*pg.SelectStmt, *pg.JsonObjectConstructor, *pg.JsonArrayConstructor, *pg.JsonFuncExpr, *pg.JsonIsPredicate:
			inert = false
		}
		return inert
	})
	return inert
}
