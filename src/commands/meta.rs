//! `completions` and `man`: generated from the clap definitions, never written by hand.

use crate::cli::Cli;
use crate::error::Result;
use clap::CommandFactory;
use std::io::Write;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<()> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "mailtriage", out);
    Ok(())
}

pub fn man(out: &mut dyn Write) -> Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    Ok(())
}
