//! Chains of the ECP5's carry cell (`CCU2C`) adding `a` and `b` two bits a
//! cell, as the `LIQSCAN_ECP5` forms of [`crate::carry_out`] and
//! [`crate::plus_one`] instantiate them.

/// Bit `i` of the `n`-bit operand `name`; 0 above it.
pub fn operand(name: &str, i: usize, n: usize) -> String {
    if i < n {
        format!("{name}[{i}]")
    } else {
        "1'b0".to_string()
    }
}

/// `cells` chained cells adding the `n`-bit `a` and `b` with carry in 0:
/// the declaration of the carry wires between them (`carry[k]` is the carry
/// into bit 2k), and the cells. Bit `i`'s LUT INIT is `init(i)`; `out(half,
/// i)` connects its sum (`, .S0(sum[2])`) or nothing.
pub fn adder(
    cells: usize,
    n: usize,
    init: impl Fn(usize) -> &'static str,
    out: impl Fn(usize, usize) -> String,
) -> (String, String) {
    let chain = (0..cells)
        .map(|c| {
            let (lo, hi) = (2 * c, 2 * c + 1);
            let cin = if c == 0 {
                "1'b0".to_string()
            } else {
                format!("carry[{c}]")
            };
            let cout = if c + 1 < cells {
                format!(", .COUT(carry[{}])", c + 1)
            } else {
                String::new()
            };
            format!(
                "CCU2C #(.INIT0({i0}), .INIT1({i1}), .INJECT1_0(\"NO\"), .INJECT1_1(\"NO\")) bits{lo} (\n   \
                 .CIN({cin}), .A0({a0}), .B0({b0}), .C0(1'b0), .D0(1'b1),\n   \
                 .A1({a1}), .B1({b1}), .C1(1'b0), .D1(1'b1){s0}{s1}{cout});\n",
                i0 = init(lo),
                i1 = init(hi),
                a0 = operand("a", lo, n),
                b0 = operand("b", lo, n),
                a1 = operand("a", hi, n),
                b1 = operand("b", hi, n),
                s0 = out(0, lo),
                s1 = out(1, hi),
            )
        })
        .collect::<String>();
    let carries = if cells > 1 {
        format!("wire [{}:1] carry;\n", cells - 1)
    } else {
        String::new()
    };
    (carries, chain)
}
