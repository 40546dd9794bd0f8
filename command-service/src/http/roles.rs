//! Who may send which command (http/roles.rs is that table). Finer rules that depend on the
//! conversation (assignee, recipient, visibility) live in the domain's `decide`.

use caselog_schemas::Role;

/// `staff` in the role table.
pub const STAFF: &[Role] = &[Role::Owner, Role::Admin, Role::Supervisor, Role::Agent];
pub const ACCOUNT_ADMINS: &[Role] = &[Role::Owner, Role::Admin];
pub const STAFF_AND_INTEGRATION: &[Role] = &[
    Role::Owner,
    Role::Admin,
    Role::Supervisor,
    Role::Agent,
    Role::Integration,
];
pub const INTEGRATION: &[Role] = &[Role::Integration];
/// Marking an invoice paid: the payment integration, or an account admin by hand.
pub const INVOICE_PAYERS: &[Role] = &[Role::Integration, Role::Owner, Role::Admin];
/// The files library's managers: owners, admins and supervisors.
pub const FILE_MANAGERS: &[Role] = &[Role::Owner, Role::Admin, Role::Supervisor];
