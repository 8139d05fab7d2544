//! The flags every command that reads a tree shares (what to leave out,
//! which configuration to use), and the settings they make together with
//! the configuration file: command-line flags win, the file fills the rest.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use super::config::{self, Config};
use std::sync::Arc;

use crate::scan::{FactCache, LoadOptions, Policy, WalkOptions};

#[derive(Args, Debug, Clone, Default)]
pub struct TreeArgs {
    /// Leave out paths matching these gitignore-style globs, relative to the tree (replaces the
    /// configuration's `exclude`). Repeatable or comma-separated. Hidden, build and virtualenv
    /// directories are always left out.
    #[arg(long, value_name = "GLOB", value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Leave out these globs as well as the configuration's `exclude`.
    #[arg(long, value_name = "GLOB", value_delimiter = ',')]
    pub extend_exclude: Vec<String>,
    /// Read files `.gitignore` ignores too (by default they are left out inside a git work tree).
    #[arg(long, overrides_with = "respect_gitignore")]
    pub no_respect_gitignore: bool,
    /// Leave out what `.gitignore` ignores (the default).
    #[arg(long, hide = true)]
    pub respect_gitignore: bool,
    /// Use this configuration file instead of the nearest .shadowfix.toml, shadowfix.toml or
    /// pyproject.toml [tool.shadowfix] at or above PATH.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long)]
    pub isolated: bool,
    /// Keep parsed facts in DIR (default: SHADOWFIX_CACHE_DIR, the configuration's `cache-dir`,
    /// else the user cache directory, e.g. ~/.cache/shadowfix): a later run over the same files
    /// reads them instead of parsing.
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Parse every file; read and write no cache.
    #[arg(long)]
    pub no_cache: bool,
}

/// What the flags and the configuration decide together.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub config: Config,
    pub load: LoadOptions,
    pub policy: Policy,
}

impl TreeArgs {
    /// The settings for PATH; `select`/`ignore` are the command's own rule
    /// flags (empty when it has none), which replace the configuration's.
    pub fn settings(&self, path: &Path, select: &[String], ignore: &[String]) -> anyhow::Result<Settings> {
        let config = if self.isolated {
            Config::default()
        } else {
            config::load(path, self.config.as_deref())?
        };
        if super::output::verbose() {
            match &config.file {
                Some(file) => eprintln!("shadowfix: configuration: {}", file.display()),
                None => eprintln!("shadowfix: no configuration file at or above {}", path.display()),
            }
        }
        let mut exclude = if self.exclude.is_empty() {
            config.exclude.clone().unwrap_or_default()
        } else {
            self.exclude.clone()
        };
        exclude.extend(config.extend_exclude.iter().cloned());
        exclude.extend(self.extend_exclude.iter().cloned());
        let respect_gitignore = if self.no_respect_gitignore {
            false
        } else if self.respect_gitignore {
            true
        } else {
            config.respect_gitignore.unwrap_or(true)
        };
        let pick = |flag: &[String], configured: &Option<Vec<String>>| {
            if flag.is_empty() {
                configured.clone().unwrap_or_default()
            } else {
                flag.to_vec()
            }
        };
        let per_file_ignores = config
            .per_file_ignores
            .iter()
            .map(|(glob, rules)| {
                let matcher = globset::Glob::new(glob)
                    .with_context(|| format!("per-file-ignores glob `{glob}`"))?
                    .compile_matcher();
                Ok((matcher, rules.clone()))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let cache_dir = if self.no_cache {
            None
        } else {
            self.cache_dir
                .clone()
                .or_else(|| {
                    std::env::var_os("SHADOWFIX_CACHE_DIR")
                        .filter(|v| !v.is_empty())
                        .map(PathBuf::from)
                })
                .or_else(|| config.cache_dir.clone())
                .or_else(FactCache::default_dir)
        };
        if super::output::verbose()
            && let Some(dir) = &cache_dir
        {
            eprintln!("shadowfix: fact cache: {}", dir.display());
        }
        Ok(Settings {
            load: LoadOptions {
                walk: WalkOptions {
                    exclude,
                    respect_gitignore,
                },
                cache: cache_dir.map(|dir| Arc::new(FactCache::new(dir))),
                stdin: None,
            },
            policy: Policy {
                select: pick(select, &config.select),
                ignore: pick(ignore, &config.ignore),
                per_file_ignores,
            },
            config,
        })
    }
}
