"""HTTP routes, one RouteTableDef per module."""
