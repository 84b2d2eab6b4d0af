//! The password-policy response control (draft-behera-ldap-password-policy),
//! which tells why OpenLDAP's ppolicy refused a password more precisely than
//! the result text.

use ldap3::LdapResult;
use ldap3::asn1::{PL, TagClass, parse_tag, parse_uint};
use ldap3::controls::RawControl;

pub const OID: &str = "1.3.6.1.4.1.42.2.27.8.5.1";

/// The request control: asks the server to attach the response control.
pub fn request() -> RawControl {
    RawControl { ctype: OID.to_owned(), crit: false, val: None }
}

/// The `error` of the response control attached to `result`, if any.
pub fn response_error(result: &LdapResult) -> Option<u64> {
    result.ctrls.iter().find(|c| c.1.ctype == OID).and_then(|c| c.1.val.as_deref()).and_then(error_code)
}

/// The `error` field of a response control value, if present:
/// `SEQUENCE { warning [0] … OPTIONAL, error [1] ENUMERATED OPTIONAL }`.
fn error_code(value: &[u8]) -> Option<u64> {
    let (_, sequence) = parse_tag(value).ok()?;
    let PL::C(fields) = sequence.payload else {
        return None;
    };
    fields.into_iter().find_map(|field| match (field.class, field.id, field.payload) {
        (TagClass::Context, 1, PL::P(bytes)) => parse_uint(&bytes).ok().map(|(_, n)| n),
        _ => None,
    })
}

/// ppolicy's error in words a helpdesk agent can pass on.
pub fn describe(code: u64) -> Option<&'static str> {
    Some(match code {
        3 => "the directory does not allow this password to be changed",
        4 => "the directory requires the old password to change this one",
        5 => "the password is not complex enough for the directory's policy",
        6 => "the password is too short for the directory's policy",
        7 => "the password was changed too recently to be changed again yet",
        8 => "the password was used before; choose one that is not in the password history",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_error_openldap_sends() {
        // Captured from slapd 2.5: `ppolicy: error=6 (Password is too short for policy)`.
        assert_eq!(error_code(&[0x30, 0x03, 0x81, 0x01, 0x06]), Some(6));
        // History.
        assert_eq!(error_code(&[0x30, 0x03, 0x81, 0x01, 0x08]), Some(8));
    }

    #[test]
    fn a_warning_only_or_garbage_has_no_error() {
        // warning [0] { timeBeforeExpiration [0] 100 }
        assert_eq!(error_code(&[0x30, 0x05, 0xa0, 0x03, 0x80, 0x01, 0x64]), None);
        assert_eq!(error_code(&[0xff, 0x00]), None);
        assert_eq!(error_code(&[]), None);
    }
}
