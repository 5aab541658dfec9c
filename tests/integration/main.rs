mod report_evidence;
mod report_fixtures;
mod report_plan;
mod report_render;
mod report_schema;
