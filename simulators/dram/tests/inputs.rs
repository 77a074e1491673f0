//! Inputs: built-in presets equal DRAMSys's files, and malformed memspecs, mappings and traces give
//! errors that name the file, the line and the field.

use std::path::PathBuf;

use dram::error::DramError;
use dram::presets::{PRESETS, preset};
use dram::trace::TraceReader;
use dram::{AddressMapping, MemSpec};

fn shared() -> PathBuf {
    let dir = std::env::var("HWGYM_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared")));
    assert!(
        dir.join("reference/dram").is_dir(),
        "shared reference data not found at {} (set HWGYM_SHARED)",
        dir.display()
    );
    dir
}

fn temp_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dram-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn presets_equal_dramsys_memspec_files() {
    let dir = shared().join("reference/dram/memspecs");
    for p in PRESETS {
        let path = dir.join(format!("{}.json", p.name));
        let from_file = MemSpec::from_file(&path).unwrap();
        let mut built = p.memspec();
        built.id = from_file.id.clone();
        assert_eq!(
            built,
            from_file,
            "preset {} differs from {}",
            p.name,
            path.display()
        );
        // every number of the file's sections is in the preset's tables with the same value
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (section, table) in p.tables() {
            let obj = json["memspec"][section].as_object().unwrap();
            for (k, v) in obj {
                let want = v.as_f64().unwrap();
                let got = table.iter().find(|(key, _)| key == k).map(|(_, x)| *x);
                assert_eq!(got, Some(want), "preset {} {section}.{k}", p.name);
            }
            assert_eq!(
                obj.len(),
                table.len(),
                "preset {} {section}: key count",
                p.name
            );
        }
    }
    let ddr3 = AddressMapping::from_file(&dir.join("am_ddr3_8x1Gbx8_dimm_p1KB_rbc.json")).unwrap();
    assert_eq!(
        ddr3,
        preset("MICRON_1Gb_DDR3-1600_8bit_G")
            .unwrap()
            .address_mapping()
    );
    let ddr4 = AddressMapping::from_file(&dir.join("am_ddr4_8x4Gbx8_dimm_p1KB_brc.json")).unwrap();
    assert_eq!(
        ddr4,
        preset("MICRON_4Gb_DDR4-2400_8bit_A")
            .unwrap()
            .address_mapping()
    );
}

fn expect_field(err: DramError, file_part: &str, line: usize, field: &str) {
    let text = err.to_string();
    match &err {
        DramError::Field {
            file,
            line: l,
            field: f,
            ..
        }
        | DramError::Trace {
            file,
            line: l,
            field: f,
            ..
        } => {
            assert!(file.contains(file_part), "{text}");
            assert_eq!(*l, line, "{text}");
            assert!(f.contains(field), "{text}");
        }
        DramError::Json { file, line: l, .. } => {
            assert!(file.contains(file_part), "{text}");
            assert_eq!(*l, line, "{text}");
        }
        other => panic!("unexpected error kind: {other}"),
    }
    assert!(
        text.contains(file_part) && text.contains(&format!(":{line}")),
        "message lacks file/line: {text}"
    );
}

#[test]
fn malformed_memspecs_name_file_line_and_field() {
    let good = std::fs::read_to_string(
        shared().join("reference/dram/memspecs/MICRON_1Gb_DDR3-1600_8bit_G.json"),
    )
    .unwrap();
    let line_of =
        |text: &str, needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    // a missing timing
    let missing = good.replace("\"RCD\": 10,", "");
    let p = temp_file("missing_rcd.json", &missing);
    expect_field(
        MemSpec::from_file(&p).unwrap_err(),
        "missing_rcd.json",
        line_of(&missing, "\"memtimingspec\""),
        "memtimingspec.RCD",
    );
    // a fractional cycle count
    let frac = good.replace("\"RAS\": 28,", "\"RAS\": 28.5,");
    let p = temp_file("frac_ras.json", &frac);
    expect_field(
        MemSpec::from_file(&p).unwrap_err(),
        "frac_ras.json",
        line_of(&frac, "\"RAS\""),
        "memtimingspec.RAS",
    );
    // a string where a number belongs
    let text = good.replace("\"idd0\": 70.0,", "\"idd0\": [70],");
    let p = temp_file("bad_idd0.json", &text);
    expect_field(
        MemSpec::from_file(&p).unwrap_err(),
        "bad_idd0.json",
        line_of(&text, "\"idd0\""),
        "mempowerspec.idd0",
    );
    // an unsupported standard
    let text = good.replace("\"DDR3\"", "\"LPDDR9\"");
    let p = temp_file("lpddr9.json", &text);
    expect_field(
        MemSpec::from_file(&p).unwrap_err(),
        "lpddr9.json",
        line_of(&text, "\"memoryType\""),
        "memoryType",
    );
    // broken JSON
    let text = good.replacen("{", "{,", 2);
    let p = temp_file("broken.json", &text);
    assert!(matches!(
        MemSpec::from_file(&p).unwrap_err(),
        DramError::Json { .. }
    ));
}

#[test]
fn malformed_mappings_name_file_line_and_field() {
    let text = "{\n  \"CONGEN\": {\n    \"BYTE_BIT\": [0, 1, 2],\n    \"COLUMN_BIT\": [3, 4],\n    \"ROW_BIT\": [4, 5],\n    \"BANK_BIT\": [6]\n  }\n}\n";
    let p = temp_file("dup_bit.json", text);
    expect_field(
        AddressMapping::from_file(&p).unwrap_err(),
        "dup_bit.json",
        5,
        "ROW_BIT",
    );
}

fn first_error(path: &std::path::Path) -> DramError {
    TraceReader::open(path, 1250, 64)
        .unwrap()
        .find_map(|r| r.err())
        .expect("an error")
}

#[test]
fn malformed_traces_name_file_line_and_field() {
    let cases = [
        (
            "bad_cmd.stl",
            "# comment\n0:\tread\t0x0\n1:\tfetch\t0x40\n",
            3,
            "command",
        ),
        (
            "bad_addr.stl",
            "0:\tread\t0x0\n\n2:\tread\t0xZZ\n",
            3,
            "address",
        ),
        (
            "bad_time.stl",
            "0:\tread\t0x0\nabc:\tread\t0x40\n",
            2,
            "time",
        ),
        ("bad_len.stl", "0:\t(4096)\tread\t0x0\n", 1, "length"),
        (
            "missing_addr.stl",
            "0:\tread\t0x0\n1:\twrite\n",
            2,
            "address",
        ),
        ("bad_op.trace", "LD 0x10\nXX 0x20\n", 2, "command"),
        (
            "bad_ramulator_addr.trace",
            "LD 0x10\nST 0xnothex\n",
            2,
            "address",
        ),
    ];
    for (name, text, line, field) in cases {
        let p = temp_file(name, text);
        expect_field(first_error(&p), name, line, field);
    }
}

#[test]
fn traces_parse_optional_fields_and_both_formats() {
    let p = temp_file(
        "ok.stl",
        "# header\n3:\t(64)\twrite\t0x40\t0x00\n5:\tread\t0x80\n",
    );
    let reqs: Vec<_> = TraceReader::open(&p, 1250, 64)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        (reqs[0].time_ps, reqs[0].is_write, reqs[0].address),
        (3 * 1250, true, 0x40)
    );
    assert_eq!(
        (reqs[1].time_ps, reqs[1].is_write, reqs[1].address),
        (5 * 1250, false, 0x80)
    );
    let p = temp_file("ok.trace", "LD 0x100\nST 0x200\n0x300 R\n");
    let reqs: Vec<_> = TraceReader::open(&p, 1250, 64)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        reqs.iter()
            .map(|r| (r.time_ps, r.is_write, r.address))
            .collect::<Vec<_>>(),
        vec![(0, false, 0x100), (1250, true, 0x200), (2500, false, 0x300)]
    );
}

#[test]
fn builtin_workloads_have_archgym_statistics() {
    use dram::workload::{Synthetic, builtin};
    let seq_fraction = |reqs: &[dram::trace::TraceRequest]| {
        reqs.windows(2)
            .filter(|w| w[1].address == w[0].address + 64)
            .count() as f64
            / reqs.len() as f64
    };
    for name in ["stream", "random", "cloud-1", "cloud-2"] {
        let ours: Vec<_> = Synthetic::new(builtin(name).unwrap(), 1250)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let path = shared().join(format!("dram/traces/{name}.stl"));
        let theirs: Vec<_> = TraceReader::open(&path, 1250, 64)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(ours.len(), theirs.len(), "{name}: request count");
        assert_eq!(
            ours.last().unwrap().time_ps,
            theirs.last().unwrap().time_ps,
            "{name}: one request per cycle"
        );
        assert_eq!(
            ours.iter().filter(|r| r.is_write).count(),
            theirs.iter().filter(|r| r.is_write).count(),
            "{name}: writes"
        );
        let (a, b) = (seq_fraction(&ours), seq_fraction(&theirs));
        assert!(
            (a - b).abs() < 0.02,
            "{name}: sequential fraction {a:.3} vs ArchGym's {b:.3}"
        );
        assert!(
            ours.iter()
                .all(|r| r.address < 1 << 30 && r.address % 64 == 0),
            "{name}: addresses"
        );
    }
}

#[test]
fn empty_trace_is_an_error() {
    let p = temp_file("empty.stl", "# nothing\n\n");
    let mut options = std::collections::BTreeMap::new();
    options.insert("trace".to_string(), p.display().to_string());
    let sim = dram::from_options(&options).unwrap();
    let e = sim
        .run(&dram::ControllerConfig::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no requests"), "{e}");
}
