//! The identity an SPF record is checked for (the domain, MAIL FROM or HELO).

/// Why a domain's SPF is checked: it decides how bad a missing record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Domain,
    MailFrom,
    Helo,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Domain => "domain",
            Role::MailFrom => "mail_from",
            Role::Helo => "helo",
        }
    }
}
