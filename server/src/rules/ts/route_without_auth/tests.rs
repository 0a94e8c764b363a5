use crate::rules::testing::*;
