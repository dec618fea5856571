//! `liqscan verilog`: the Verilog for a lane count, and with `--ports-json`
//! the top module's ports as `scripts/harness.py` reads them.

mod common;

use common::*;
use liqscan_hw::scanner::{ports, Dir};
use liqscan_hw::verilog::Build;
use serde_json::{json, Value};

#[test]
fn ports_json_lists_every_port_in_declaration_order() {
    let dir = tempfile::tempdir().unwrap();
    let output = liqscan(
        dir.path(),
        &["verilog", "--lanes", "2", "--ports-json", "ports.json"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.path().join("ports.json")).unwrap();
    let written: Vec<Value> = serde_json::from_str(&text).unwrap();

    let expected: Vec<Value> = ports(2, Build::Sim.symbol_bits())
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "direction": if p.dir == Dir::In { "input" } else { "output" },
                "width": p.width,
                "signed": p.signed,
                "lane": p.name.split_once('$').map(|(_, lane)| lane.parse::<u64>().unwrap()),
            })
        })
        .collect();
    assert_eq!(written, expected);
    // The shape the harness relies on, spelled out for two ports.
    assert_eq!(
        written[0],
        json!({"name": "clock", "direction": "input", "width": 1, "signed": false, "lane": null})
    );
    assert!(written.contains(
        &json!({"name": "res_slot$1", "direction": "output", "width": 32, "signed": false, "lane": 1})
    ));
    // Fields in the documented order, and no Verilog without `--out`.
    let first = text.find("\"name\"").unwrap();
    let order: Vec<usize> = ["\"direction\"", "\"width\"", "\"signed\"", "\"lane\""]
        .iter()
        .map(|key| text[first..].find(key).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn verilog_needs_an_output() {
    let dir = tempfile::tempdir().unwrap();
    let output = liqscan(dir.path(), &["verilog", "--lanes", "1"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn verilog_is_written_for_a_lane_count() {
    let dir = tempfile::tempdir().unwrap();
    let output = liqscan(
        dir.path(),
        &["verilog", "--lanes", "1", "--fpga", "--out", "rtl"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let verilog = std::fs::read_to_string(dir.path().join("rtl/liqscan_fpga_1lanes.v")).unwrap();
    assert!(
        verilog.contains("module top"),
        "{}",
        &verilog[..verilog.len().min(400)]
    );
    let output = liqscan(dir.path(), &["verilog", "--lanes", "3", "--out", "rtl"]);
    assert_eq!(output.status.code(), Some(2), "a usage error");
    assert!(
        stderr(&output).contains("must be one of [1, 2, 4, 8, 16]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn top_verilog_is_written_with_its_bus_ports() {
    let dir = tempfile::tempdir().unwrap();
    let output = liqscan(
        dir.path(),
        &[
            "verilog",
            "--lanes",
            "1",
            "--fpga",
            "--top",
            "--out",
            "rtl",
            "--ports-json",
            "ports.json",
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let verilog =
        std::fs::read_to_string(dir.path().join("rtl/liqscan_top_fpga_1lanes.v")).unwrap();
    assert!(verilog.contains("module top("));
    let text = std::fs::read_to_string(dir.path().join("ports.json")).unwrap();
    let written: Vec<Value> = serde_json::from_str(&text).unwrap();
    let names: Vec<&str> = written
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = liqscan_hw::top::ports()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, expected);
    assert!(written.contains(
        &json!({"name": "m_axis_tdata", "direction": "output", "width": 256, "signed": false, "lane": null})
    ));
}
