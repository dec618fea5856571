//! The top module's port list, parsed from the generated Verilog so that the
//! C++ shim and the Rust tables never retype a name or a width.

/// One port of the top module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub output: bool,
    pub width: u32,
    pub signed: bool,
}

/// The ports of `module <top>(...)`, in declaration order.
pub fn parse_ports(verilog: &str, top: &str) -> Result<Vec<Port>, String> {
    let header = format!("module {top}(");
    let start = verilog
        .find(&header)
        .ok_or_else(|| format!("no `{header}` in the Verilog"))?;
    let body = &verilog[start..];
    let end = body
        .find("endmodule")
        .ok_or_else(|| format!("module {top} has no endmodule"))?;
    let body = &body[..end];
    let args_end = body.find(");").ok_or("unterminated module header")?;
    let args: Vec<&str> = body[header.len()..args_end]
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .collect();

    let mut ports = Vec::new();
    for line in body[args_end..].lines().map(str::trim) {
        let output = if line.starts_with("input ") {
            false
        } else if line.starts_with("output ") {
            true
        } else if line.starts_with("inout ") {
            return Err(format!("inout ports are not supported: {line}"));
        } else {
            continue;
        };
        let decl = line.trim_end_matches(';');
        let tokens: Vec<&str> = decl.split_whitespace().collect();
        let name = *tokens.last().ok_or("empty declaration")?;
        let signed = tokens.contains(&"signed");
        let width = match tokens.iter().find(|t| t.starts_with('[')) {
            None => 1,
            Some(range) => {
                let (msb, lsb) = range
                    .trim_matches(|c| c == '[' || c == ']')
                    .split_once(':')
                    .ok_or_else(|| format!("bad range in `{line}`"))?;
                let msb: u32 = msb.parse().map_err(|_| format!("bad msb in `{line}`"))?;
                if lsb != "0" {
                    return Err(format!("ranges must end at 0: `{line}`"));
                }
                msb + 1
            }
        };
        ports.push(Port {
            name: name.to_string(),
            output,
            width,
            signed,
        });
    }
    let declared: Vec<&str> = ports.iter().map(|p| p.name.as_str()).collect();
    if declared != args {
        return Err(format!(
            "port declarations {declared:?} do not match the header {args:?}"
        ));
    }
    Ok(ports)
}

/// The C++ member name Verilator gives a Verilog identifier: letters, digits
/// and single underscores stay; `__` becomes `___05F`; any other character
/// (RustHDL's `$` in `res_valid$0`) becomes `__0` and its two hex digits.
pub fn cpp_name(verilog: &str) -> String {
    let bytes = verilog.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if (i == 0 && c.is_ascii_alphabetic()) || (i > 0 && c.is_ascii_alphanumeric()) {
            out.push(c as char);
        } else if c == b'_' {
            if bytes.get(i + 1) == Some(&b'_') {
                out.push_str("___05F");
                i += 1;
            } else {
                out.push('_');
            }
        } else {
            out.push_str(&format!("__0{c:02x}"));
        }
        i += 1;
    }
    out
}
