//! The scripts the counterexample hunter tries: for each seed, a few orders from up to
//! three clients, as a user might send them, with now and then a retried command.

use crate::domain::ids::{CommandId, CorrelationId, CustomerId, OrderId, ProductId, VirtualMillis};
use crate::domain::money::Cents;
use crate::domain::order::OrderCommand;
use crate::engine::rng::{PerMillion, SimRng};
use crate::engine::script::{ClientId, ScriptedCommand};

fn id<T>(parse: fn(&str) -> Result<T, crate::domain::ids::IdError>, text: &str, or: T) -> T {
    parse(text).unwrap_or(or)
}

/// A script for `seed`: one to three orders from up to three clients, each created,
/// filled, usually submitted and paid the exact total, sometimes shipped, cancelled or
/// changed, and now and then a command sent twice with the same id (a client retry).
pub fn script_for(seed: u64) -> Vec<ScriptedCommand> {
    let mut rng = SimRng::seeded(seed ^ 0x5eed_5c21_7000_0000);
    let mut out = Vec::new();
    let orders = 1 + rng.below(3);
    for k in 0..orders {
        let order = id(
            OrderId::parse,
            &format!("h{}", k + 1),
            OrderId::numbered("h", k),
        );
        let client = ClientId(1 + (k % 3) as u32);
        let start = k * 9 + rng.below(20);
        let commands = order_commands(&mut rng, (seed, k, start));
        for (at, command) in commands {
            let n = out.len() as u64 + 1;
            out.push(ScriptedCommand {
                at: VirtualMillis(at),
                client,
                command_id: CommandId::numbered("hc", n),
                correlation_id: CorrelationId::numbered("hcorr", n),
                order_id: order.clone(),
                command,
            });
        }
    }
    if !out.is_empty() && rng.chance(PerMillion::percent(30)) {
        let i = rng.below(out.len() as u64) as usize;
        let mut again = out[i].clone();
        again.at = VirtualMillis(again.at.0 + 25);
        out.push(again);
    }
    // By time; at the same time in the order written (the index breaks ties: the
    // core's sort is not stable).
    let mut numbered: Vec<(VirtualMillis, usize, ScriptedCommand)> = out
        .into_iter()
        .enumerate()
        .map(|(i, c)| (c.at, i, c))
        .collect();
    crate::collections::sort::sort_by_key(&mut numbered, |(at, i, _)| (*at, *i));
    numbered.into_iter().map(|(_, _, c)| c).collect()
}

/// The products an order of the hunt may hold, with their unit prices in cents.
const PRODUCTS: [(&str, i64); 5] = [
    ("espresso", 1250),
    ("filters", 300),
    ("grinder", 8900),
    ("mug", 700),
    ("scale", 2400),
];

/// The commands of the hunt's order `k` of run `seed`, from `start` on, with the times
/// they are sent: created, a few lines added (one maybe removed), then maybe settled.
fn order_commands(rng: &mut SimRng, (seed, k, start): (u64, u64, u64)) -> Vec<(u64, OrderCommand)> {
    let mut commands: Vec<(u64, OrderCommand)> = Vec::new();
    let customer = ["cust-ana", "cust-ben", "cust-cem"][rng.below(3) as usize];
    commands.push((
        start,
        OrderCommand::CreateOrder {
            customer_id: id(CustomerId::parse, customer, CustomerId::numbered("cust", 1)),
            currency: None,
            personal: None,
        },
    ));
    let mut lines = Vec::new();
    let first = rng.below(PRODUCTS.len() as u64) as usize;
    for i in 0..1 + rng.below(3) as usize {
        let (product, price) = PRODUCTS[(first + i) % PRODUCTS.len()];
        let quantity = 1 + rng.below(3) as i64;
        lines.push((product, price * quantity));
        commands.push((
            start + 10 + 5 * i as u64,
            OrderCommand::AddItem {
                product_id: id(ProductId::parse, product, ProductId::numbered("sku", 1)),
                product_name: product.into(),
                unit_price: Cents(price),
                quantity,
            },
        ));
    }
    if lines.len() > 1 && rng.chance(PerMillion::percent(25)) {
        let (product, _) = lines.remove(0);
        commands.push((
            start + 30,
            OrderCommand::RemoveItem {
                product_id: id(ProductId::parse, product, ProductId::numbered("sku", 1)),
            },
        ));
    }
    settle(rng, (seed, k, start), customer, &lines, &mut commands);
    commands
}

/// Maybe submits the order, then pays and maybe ships it, or maybe cancels it.
fn settle(
    rng: &mut SimRng,
    (seed, k, start): (u64, u64, u64),
    customer: &str,
    lines: &[(&str, i64)],
    commands: &mut Vec<(u64, OrderCommand)>,
) {
    if rng.chance(PerMillion::percent(85)) {
        commands.push((start + 40, OrderCommand::SubmitOrder));
        if rng.chance(PerMillion::percent(75)) {
            let total: i64 = lines.iter().map(|(_, cents)| cents).sum();
            commands.push((
                start + 60,
                OrderCommand::ReceivePayment {
                    amount: Cents(total),
                    payment_method: "card".into(),
                    transaction_id: format!("tx-{seed}-{k}").into(),
                },
            ));
            if rng.chance(PerMillion::percent(60)) {
                commands.push((
                    start + 80,
                    OrderCommand::ShipOrder {
                        carrier: "Contoso Freight".into(),
                        tracking_number: format!("trk-{k}").into(),
                    },
                ));
            }
        } else if rng.chance(PerMillion::percent(50)) {
            commands.push((
                start + 70,
                OrderCommand::CancelOrder {
                    reason: "changed my mind".into(),
                    cancelled_by: customer.into(),
                },
            ));
        }
    }
}
