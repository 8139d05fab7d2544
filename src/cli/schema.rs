//! `shadowfix schema`: the JSON Schema of `scan --format json`, generated
//! from the report's own types, so it cannot drift from what is written.

use anyhow::Context;
use clap::Args;

use super::output;
use crate::exit_codes;
use crate::report::{SCHEMA_ID, ScanReport};

#[derive(Args, Debug)]
pub struct SchemaArgs {}

pub fn run(_args: SchemaArgs) -> anyhow::Result<u8> {
    let mut schema = serde_json::to_value(schemars::schema_for!(ScanReport)).context("building the JSON Schema")?;
    schema["$id"] = serde_json::json!(SCHEMA_ID);
    let mut out = serde_json::to_vec_pretty(&schema).context("serialising the JSON Schema")?;
    out.push(b'\n');
    output::print(&out)?;
    Ok(exit_codes::OK)
}
