//! Who is reading, and what visibility lets them see.

use uuid::Uuid;

use caselog_platform::http::Caller;
use caselog_schemas::{Role, TenantId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Viewer {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    /// Owners and auditors see every conversation of the tenant.
    pub sees_all: bool,
    /// Owners, admins and auditors list and count every group's conversations; the
    /// others their own groups', the ungrouped ones and those assigned to them.
    pub all_groups: bool,
    pub role: Role,
}

impl Viewer {
    pub fn of(caller: &Caller) -> Self {
        Self {
            tenant_id: caller.tenant_id,
            user_id: caller.user_id,
            sees_all: matches!(caller.role, Role::Owner | Role::Auditor),
            all_groups: matches!(caller.role, Role::Owner | Role::Admin | Role::Auditor),
            role: caller.role,
        }
    }

    /// The visibility rule, for values already read (a cache hit is checked again).
    pub fn may_see(&self, visible_to: Option<&[Uuid]>) -> bool {
        self.sees_all || visible_to.is_none_or(|list| list.contains(&self.user_id.0))
    }
}
