//! Payments: Transbank WebPay Plus (REST).

pub mod webpay;
