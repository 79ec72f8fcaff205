"""Networks: the tenants of an instance. Every other row belongs to one."""
