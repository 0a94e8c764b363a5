//! URLs in text that the rules judge: which point at the local machine.

use std::ops::Range;

/// The byte range of the first `scheme://` URL in `value` whose host is local.
pub(crate) fn local_url(value: &str) -> Option<Range<usize>> {
    let mut from = 0;
    while let Some(i) = value[from..].find("://") {
        let sep = from + i;
        from = sep + 3;
        let scheme_start = value[..sep]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .map_or(0, |(j, c)| j + c.len_utf8());
        if scheme_start == sep {
            continue;
        }
        let rest = &value[from..];
        let authority_len = rest
            .find(|c: char| {
                matches!(c, '/' | '?' | '#') || c.is_whitespace() || c == '"' || c == '\''
            })
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        // `user:pw@host:port`; several hosts (`h1:5432,h2:5432`) each count.
        let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if hosts.split(',').any(|h| is_local_host(host_of(h))) {
            return Some(scheme_start..from + authority_len);
        }
    }
    None
}

/// `host:port` → `host`; `[::1]:80` → `[::1]`.
fn host_of(hostport: &str) -> &str {
    if hostport.starts_with('[') {
        return hostport.find(']').map_or(hostport, |i| &hostport[..=i]);
    }
    hostport.split(':').next().unwrap_or(hostport)
}

fn is_local_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost"
        || h.ends_with(".localhost")
        || h == "[::1]"
        || h == "0.0.0.0"
        || (h.starts_with("127.")
            && h.split('.').count() == 4
            && h.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
}

#[cfg(test)]
mod tests {
    use super::local_url;

    #[test]
    fn scheme_after_a_multi_byte_character() {
        let v = "postgr\u{feff}es://u:p@localhost:5432/db";
        let r = local_url(v).expect("a local URL");
        assert!(v.is_char_boundary(r.start));
        assert_eq!(&v[r], "es://u:p@localhost:5432");
        assert_eq!(local_url("é://localhost"), None);
    }
}
